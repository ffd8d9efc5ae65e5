import type { ReactiveControllerHost } from 'lit';
import type { ResumeState } from '../../client/persistence.js';
import type { Peer, PresenceDetail, Target } from '../../client/types.js';
import type { Presence } from './recipients.js';

/** Names of sessions kept for private messages that outlive their recipients' stay. */
const MAX_KNOWN_NAMES = 1000;

/** How a peer is shown: their name, else their address, else their session id. */
export const displayName = (peer: Peer): string => peer.name || peer.addr || peer.id;

/**
 * Who the panel knows of: everyone online (v1), your own session, the
 * relay's epoch, and the names of the sessions seen, so a private message
 * still says whom it was for after they left. It is the `Presence` that
 * recipients are followed by.
 */
export class People implements Presence {
  roster: readonly Peer[] = [];
  count = 0;
  self: Peer | undefined;
  /** The relay's epoch at the latest welcome: the sessions of earlier epochs are gone. */
  epoch = '';
  readonly #knownNames = new Map<string, string>();

  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  get selfId(): string | undefined {
    return this.self?.id;
  }

  /** Takes in a presence change; at a welcome, the client tells your own session and the relay's epoch. */
  update(detail: PresenceDetail, client: { readonly self: Peer | undefined; readonly resumeState: ResumeState | undefined } | undefined): void {
    this.roster = detail.roster;
    this.count = detail.count;
    if (detail.kind === 'welcome') {
      this.self = client?.self;
      this.epoch = client?.resumeState?.epoch ?? '';
    }
    for (const peer of detail.peer ? [detail.peer] : detail.roster) this.#remember(peer);
    this.#host.requestUpdate();
  }

  /** Whether someone else online goes by `peer`'s name: then their address tells them apart. */
  sharesName(peer: Peer): boolean {
    let same = 0;
    for (const other of this.roster) if (other.name === peer.name) same++;
    return same > 1;
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
