import { Typing } from '../protocol/constants.js';
import type { Peer } from './types.js';

/**
 * A conversation someone types in: a room, or the private conversation with
 * `peer` (the typist, seen from the listener's side).
 */
export interface Conversation {
  readonly room?: string;
  readonly peer?: Peer;
}

/** What the `typing` event says: who is typing in `conversation` now (empty: nobody any more). */
export interface TypingDetail {
  readonly conversation: Conversation;
  /** In the order they started typing. */
  readonly peers: readonly Peer[];
}

/** The key `typists` uses for a conversation: the room's name, or `@` and the peer's id for a private one. */
export function conversationKey(conversation: Conversation): string {
  return conversation.room ?? `@${conversation.peer?.id ?? ''}`;
}

/** Timers as the model uses them (injected in tests, to advance time by hand). */
export interface TypistClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const realClock: TypistClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    // A listener's expiry must not keep a Node process alive.
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

interface Typist {
  readonly peer: Peer;
  /** When it was last heard of (ms). */
  heard: number;
}

/**
 * Who is typing where, from the `typing` frames a listener gets
 * (PROTOCOL.md §23): a typist is shown until its `stop`, a message from it
 * in that conversation, its leaving (the room, or the relay), or
 * `expireMs` without news. One timer for all of them, set for the one that
 * expires first.
 */
export class Typists {
  readonly #byConversation = new Map<string, { readonly conversation: Conversation; readonly typists: Map<string, Typist> }>();
  readonly #changed: (detail: TypingDetail) => void;
  readonly #clock: TypistClock;
  readonly #expireMs: number;
  #timer: unknown;
  #timerAt: number | undefined;

  constructor(changed: (detail: TypingDetail) => void, clock: TypistClock = realClock, expireMs: number = Typing.expireMs) {
    this.#changed = changed;
    this.#clock = clock;
    this.#expireMs = expireMs;
  }

  /** Who types in each conversation, by `conversationKey`; conversations nobody types in are absent. */
  get all(): ReadonlyMap<string, readonly Peer[]> {
    const all = new Map<string, readonly Peer[]>();
    for (const [key, entry] of this.#byConversation) all.set(key, [...entry.typists.values()].map((typist) => typist.peer));
    return all;
  }

  /** Who types in `conversation`. */
  in(conversation: Conversation): readonly Peer[] {
    const entry = this.#byConversation.get(conversationKey(conversation));
    return entry ? [...entry.typists.values()].map((typist) => typist.peer) : [];
  }

  /** A `typing` frame: `peer` types in `room`, or privately (no room); with `stop`, no longer. */
  heard(peer: Peer, room: string | undefined, stop: boolean): void {
    const conversation: Conversation = room !== undefined ? { room } : { peer };
    if (stop) return this.forget(peer.id, conversation);
    const key = conversationKey(conversation);
    let entry = this.#byConversation.get(key);
    if (!entry) this.#byConversation.set(key, (entry = { conversation, typists: new Map() }));
    const known = entry.typists.get(peer.id);
    const now = this.#clock.now();
    if (known && known.peer.name === peer.name) {
      // News that changes nothing shown: only its expiry moves.
      known.heard = now;
    } else {
      entry.typists.set(peer.id, { peer, heard: now });
      this.#emit(key);
    }
    this.#schedule();
  }

  /** `peerId` no longer types in `conversation` (a stop, or a message from it there). */
  forget(peerId: string, conversation: Conversation): void {
    const key = conversationKey(conversation.room !== undefined ? conversation : { peer: { id: peerId, name: '', addr: '' } });
    if (this.#byConversation.get(key)?.typists.delete(peerId)) this.#emit(key);
  }

  /** `peerId` left `room`, or, without a room, the relay: it types nowhere it was. */
  left(peerId: string, room?: string): void {
    if (room !== undefined) return this.forget(peerId, { room });
    for (const [key, entry] of [...this.#byConversation]) if (entry.typists.delete(peerId)) this.#emit(key);
  }

  /** You left `room`: nobody types there for you any more. */
  leftRoom(room: string): void {
    const entry = this.#byConversation.get(room);
    if (!entry || entry.typists.size === 0) return;
    entry.typists.clear();
    this.#emit(room);
  }

  /** Forgets everyone (the link went: a stop may be lost with it). */
  clear(): void {
    for (const [key, entry] of [...this.#byConversation]) {
      if (entry.typists.size === 0) continue;
      entry.typists.clear();
      this.#emit(key);
    }
    this.#byConversation.clear();
    this.#stopTimer();
  }

  /** Forgets whoever has not been heard from for `expireMs`. */
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = undefined;
    const limit = this.#clock.now() - this.#expireMs;
    for (const [key, entry] of [...this.#byConversation]) {
      let changed = false;
      for (const [id, typist] of [...entry.typists]) {
        if (typist.heard <= limit) changed = entry.typists.delete(id) || changed;
      }
      if (changed) this.#emit(key);
    }
    this.#schedule();
  }

  /** Sets the one timer for the earliest expiry, if it is not set for it already. */
  #schedule(): void {
    let earliest: number | undefined;
    for (const entry of this.#byConversation.values()) {
      for (const typist of entry.typists.values()) if (earliest === undefined || typist.heard < earliest) earliest = typist.heard;
    }
    if (earliest === undefined) return this.#stopTimer();
    const at = earliest + this.#expireMs;
    // A timer set for an earlier time fires and sets the next one: no need to move it later.
    if (this.#timerAt !== undefined && this.#timerAt <= at) return;
    this.#stopTimer();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#expire(), Math.max(0, at - this.#clock.now()));
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  #emit(key: string): void {
    const entry = this.#byConversation.get(key);
    if (!entry) return;
    const peers = [...entry.typists.values()].map((typist) => typist.peer);
    if (peers.length === 0) this.#byConversation.delete(key);
    this.#changed({ conversation: entry.conversation, peers });
  }
}
