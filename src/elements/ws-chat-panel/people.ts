import type { ReactiveControllerHost } from 'lit';
import type { ResumeState } from '../../client/persistence.js';
import type { RoomState } from '../../client/rooms.js';
import type { Peer, PresenceDetail, Target } from '../../client/types.js';
import type { Presence } from './recipients.js';

/** Names of sessions kept for private messages that outlive their recipients' stay. */
const MAX_KNOWN_NAMES = 1000;

/** How a peer is shown: their name, else their address, else their session id. */
export const displayName = (peer: Peer): string => peer.name || peer.addr || peer.id;

/** What the client tells of who is here. */
type Source = { readonly self: Peer | undefined; readonly resumeState: ResumeState | undefined; readonly rooms: ReadonlyMap<string, RoomState> };

/**
 * Who the panel knows of: everyone online in your rooms (v1), your rooms,
 * your own session, the relay's epoch, and the names of the sessions seen,
 * so a private message still says whom it was for after they left. In a
 * partial room (a large one) the roster is its most recently active part,
 * and `found` those the last search found: they can be picked as recipients
 * like anyone in the roster. It is the `Presence` that recipients are
 * followed by.
 */
export class People implements Presence {
  online: readonly Peer[] = [];
  /** Those the last search found, and what it looked for ('': none). */
  found: readonly Peer[] = [];
  query = '';
  count = 0;
  rooms: ReadonlyMap<string, RoomState> = new Map();
  self: Peer | undefined;
  /** The relay's epoch at the latest welcome: the sessions of earlier epochs are gone. */
  epoch = '';
  readonly #knownNames = new Map<string, string>();
  /** How many online go by each name, for the roster it was counted from. */
  #names: { readonly of: readonly Peer[]; readonly counts: Map<string, number> } | undefined;

  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  get selfId(): string | undefined {
    return this.self?.id;
  }

  /** Everyone online as far as the panel knows: the rooms' rosters, and those a search found. */
  get roster(): readonly Peer[] {
    if (!this.found.length) return this.online;
    const ids = new Set(this.online.map((peer) => peer.id));
    return [...this.online, ...this.found.filter((peer) => !ids.has(peer.id))];
  }

  /** The first partial room (where a search goes), if any. */
  get partial(): RoomState | undefined {
    return [...this.rooms.values()].find((room) => room.partial);
  }

  /** Search results arrived. */
  setFound(peers: readonly Peer[], query: string): void {
    this.found = peers;
    this.query = query;
    for (const peer of peers) this.#remember(peer);
    this.#host.requestUpdate();
  }

  /** Takes in a presence change; at a welcome, the client tells your own session and the relay's epoch. */
  update(detail: PresenceDetail, client: Source | undefined): void {
    this.online = detail.roster;
    this.rooms = new Map(client?.rooms);
    // With several rooms, everyone seen once; a partial room's count is more than its roster shows.
    const counts = [...this.rooms.values()].map((room) => room.count);
    this.count = this.rooms.size > 1 ? (this.partial ? Math.max(...counts) : this.online.length) : detail.count;
    if (detail.kind === 'welcome') {
      this.self = client?.self;
      this.epoch = client?.resumeState?.epoch ?? '';
    }
    for (const peer of detail.peer ? [detail.peer] : detail.roster) this.#remember(peer);
    this.#host.requestUpdate();
  }

  /** Whether someone else online goes by `peer`'s name: then their address tells them apart. */
  sharesName(peer: Peer): boolean {
    // Asked for every entry of the roster and the log at each render: counted once per roster.
    if (this.#names?.of !== this.online) {
      const counts = new Map<string, number>();
      for (const other of this.online) counts.set(other.name, (counts.get(other.name) ?? 0) + 1);
      this.#names = { of: this.online, counts };
    }
    return (this.#names.counts.get(peer.name) ?? 0) > 1;
  }

  /** The name a session went by when last seen (yours included), if it was seen. */
  nameOf(id: string): string | undefined {
    return id === this.selfId ? this.self?.name : this.#knownNames.get(id);
  }

  /** Whom a private message was for, by the names last seen (`you` for your own session). */
  describe(to: Target, you: string): string {
    const names = [
      ...(to.ids ?? []).map((id) => (id === this.selfId ? you : (this.#knownNames.get(id) ?? id))),
      ...(to.names ?? []),
      ...(to.addrs ?? []),
    ];
    return [...new Set(names)].join(', ');
  }

  #remember(peer: Peer): void {
    this.#knownNames.delete(peer.id);
    this.#knownNames.set(peer.id, displayName(peer));
    if (this.#knownNames.size > MAX_KNOWN_NAMES) this.#knownNames.delete(this.#knownNames.keys().next().value!);
  }
}
