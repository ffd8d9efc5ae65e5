import type { ChatNotice, Peer } from './types.js';

/**
 * How long someone may be gone before their leaving is announced: time to
 * come back after a dropped link, a reload, or a relay restart.
 */
export const PRESENCE_GRACE_MS = 5000;

/**
 * Turns what the relay says about presence (welcomes, joins, leaves) into
 * join and leave notices for real changes of who is online.
 *
 * People are told apart by name, the identity clients see (a second tab of
 * someone already online is not news; after a relay restart everyone comes
 * back under a new id but the same name). Someone joins when their name
 * comes online that the reader was not told of; someone leaves when their
 * name has been gone for `graceMs`, so a link that drops and comes back, or
 * a relay that restarts, announces nothing. A welcome after a reconnect is
 * compared with what the reader was told before it: only the difference is
 * announced. The first welcome announces nothing: it is where the reader
 * starts.
 */
export class PresenceNotices {
  /** Sessions online, by name. */
  readonly #online = new Map<string, number>();
  /** The names the reader takes to be online: seen in the first welcome, or announced since. */
  readonly #announced = new Map<string, Peer>();
  readonly #leaving = new Map<string, ReturnType<typeof setTimeout>>();
  #started = false;
  #key = 0;

  readonly #notify: (notice: ChatNotice) => void;
  readonly #graceMs: number;

  constructor(notify: (notice: ChatNotice) => void, graceMs = PRESENCE_GRACE_MS) {
    this.#notify = notify;
    this.#graceMs = graceMs;
  }

  welcome(roster: readonly Peer[]): void {
    this.#online.clear();
    for (const peer of roster) this.#online.set(peer.name, (this.#online.get(peer.name) ?? 0) + 1);
    if (!this.#started) {
      this.#started = true;
      for (const peer of roster) this.#announced.set(peer.name, peer);
      return;
    }
    const seen = new Set<string>();
    for (const peer of roster) {
      if (seen.has(peer.name)) continue;
      seen.add(peer.name);
      this.#arrived(peer);
    }
    for (const [name, peer] of this.#announced) if (!this.#online.has(name)) this.#departing(peer);
  }

  join(peer: Peer): void {
    this.#online.set(peer.name, (this.#online.get(peer.name) ?? 0) + 1);
    this.#arrived(peer);
  }

  leave(peer: Peer): void {
    const left = (this.#online.get(peer.name) ?? 1) - 1;
    if (left > 0) {
      this.#online.set(peer.name, left);
      return;
    }
    this.#online.delete(peer.name);
    this.#departing(peer);
  }

  /** Forgets the leaves still in their grace period (the client is closing). */
  stop(): void {
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
  }

  #arrived(peer: Peer): void {
    const timer = this.#leaving.get(peer.name);
    if (timer !== undefined) {
      // Back within the grace period: they never left, as far as the reader is concerned.
      clearTimeout(timer);
      this.#leaving.delete(peer.name);
      return;
    }
    if (this.#announced.has(peer.name)) return;
    this.#announced.set(peer.name, peer);
    this.#emit('join', peer, Date.now());
  }

  #departing(peer: Peer): void {
    if (!this.#announced.has(peer.name) || this.#leaving.has(peer.name)) return;
    const at = Date.now();
    const timer = setTimeout(() => {
      this.#leaving.delete(peer.name);
      if (this.#online.has(peer.name)) return;
      this.#announced.delete(peer.name);
      this.#emit('leave', peer, at);
    }, this.#graceMs);
    (timer as { unref?: () => void }).unref?.();
    this.#leaving.set(peer.name, timer);
  }

  #emit(kind: 'join' | 'leave', peer: Peer, ts: number): void {
    this.#notify({ kind, peer, key: `${kind}:${peer.id}:${++this.#key}:${ts}`, ts });
  }
}
