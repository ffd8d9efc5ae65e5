import type { Limits } from '../protocol/frames.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import type { ChatMessage, Peer, Target } from './types.js';

/**
 * After a relay restart that lost its state, how long a private message from
 * before it waits for its recipients to come back before it counts as failed.
 */
const GAP_GRACE_MS = 5000;

/** What the relay said about one of your messages, last: it leaves the outbox with it. */
export type Outcome = Partial<Pick<ChatMessage, 'state' | 'offset' | 'ts' | 'error'>>;

/** What the outbox asks of the client it works for. */
export interface OutboxHost {
  /** Whether messages may go on the wire now (the client is online). */
  canWrite(): boolean;
  /** Puts one message on the wire; the outbox has paced it. */
  transmit(message: ChatMessage): void;
  /** Whether every target of a message is online now. */
  reachable(to: Target | undefined): boolean;
  /** Who the relay says you are, once it has: your answered messages carry it. */
  self(): Peer | undefined;
  /** One of your messages was created or changed state. */
  update(message: ChatMessage): void;
  /** The outbox changed: keep what it holds now (the persistence hook). */
  save(messages: ChatMessage[]): void;
}

interface Entry {
  message: ChatMessage;
  /** On the wire on the current connection, waiting for its answer (cleared on every reconnect, and when it must go again). */
  transmitted: boolean;
  /** Written before the relay lost its state: its recipients may still be on their way back. */
  beforeGap?: boolean;
}

/**
 * Your messages until the relay has answered for them, oldest first, and
 * the rules that put them on the wire (docs/PROTOCOL.md section 20.4):
 * - in order: a message goes only when every one before it has been
 *   answered or is on the wire on this connection;
 * - paced: no faster than the relay's rate limit, with a copy of its bucket
 *   that every frame the client writes is charged to;
 * - taken back: one the relay asks to have again goes again first and
 *   alone, after `retryAfter`, with everything after it behind it;
 * - after a relay lost its state, a private message waits a little for its
 *   recipients to come back.
 * A relay that announces no limits and answers nothing by id (the legacy
 * format) gets everything at once, in order.
 */
export class Outbox {
  readonly #entries = new Map<string, Entry>();
  readonly #host: OutboxHost;
  /** The relay's rate limit as this client has spent it: every frame written costs a token. */
  #bucket: TokenBucket | undefined;
  /** Wakes the outbox when a token is due, or the relay's retryAfter has passed. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** No message goes before this time (the relay said when to try again). */
  #holdUntil = 0;
  /** After a refusal, the message sent again alone: nothing after it goes until it is answered. */
  #retrying: string | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: OutboxHost) {
    this.#host = host;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The messages waiting, oldest first. */
  get messages(): ChatMessage[] {
    return [...this.#entries.values()].map((entry) => entry.message);
  }

  /** Private messages from before a relay restart are waiting for their recipients to come back. */
  get awaitingRecipients(): boolean {
    return this.#graceTimer !== undefined;
  }

  isPending(id: string): boolean {
    return this.#entries.get(id)?.message.state === 'pending';
  }

  /** Takes a new message of yours, after every one before it. */
  add(message: ChatMessage): void {
    this.#entries.set(message.id, { message, transmitted: false });
    this.#save();
    this.#host.update(message);
    // Waiting for a token or a retry already: the timer sends it, after the ones before it.
    if (this.#timer === undefined) this.flush();
  }

  /**
   * Takes over messages another client (or an earlier page) left pending:
   * they keep their ids, so the server can tell a resend from a new message,
   * and go out before anything sent since, in order.
   */
  adopt(messages: readonly ChatMessage[]): void {
    const adopted: Array<[string, Entry]> = [];
    for (const message of messages) {
      if (!message.own || message.state !== 'pending' || this.#entries.has(message.id)) continue;
      adopted.push([message.id, { message, transmitted: false }]);
    }
    if (adopted.length === 0) return;
    const later = [...this.#entries];
    this.#entries.clear();
    for (const [id, entry] of [...adopted, ...later]) this.#entries.set(id, entry);
    this.#save();
    for (const [, entry] of adopted) this.#host.update(entry.message);
    this.flush();
  }

  /**
   * Records the relay's answer about one of your messages (acknowledged,
   * or refused for good): it leaves the outbox, and whatever waited behind
   * it may follow. Returns the message as it now is, or undefined when it
   * was not waiting here.
   */
  conclude(id: string, outcome: Outcome): ChatMessage | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    const message: ChatMessage = { ...entry.message, ...outcome, from: this.#host.self() ?? entry.message.from };
    entry.message = message;
    if (outcome.state !== 'pending') {
      this.#entries.delete(id);
      this.#save();
    }
    this.#host.update(message);
    if (id === this.#retrying && outcome.state !== 'pending') {
      // Answered: what came after it may follow.
      this.#retrying = undefined;
      this.flush();
    }
    return message;
  }

  /**
   * Mirrors the relay's bucket (PROTOCOL.md §13.2): full on the first
   * welcome, less the hello it answers; kept across reconnects, as the relay
   * keeps its bucket with the session.
   */
  pace(limits: Limits): void {
    if (this.#bucket?.rate === limits.maxMessagesPerSecond && this.#bucket.capacity === limits.burst) return;
    this.#bucket = new TokenBucket(limits.maxMessagesPerSecond, limits.burst);
    this.#bucket.spend();
  }

  /** Charges a frame that goes whether or not there is a token (a hello, a ping, a receipt). */
  spend(): void {
    this.#bucket?.spend();
  }

  /** The relay said its bucket is empty. */
  drain(): void {
    this.#bucket?.empty();
  }

  /**
   * The relay did not take message `id` and wants it again after
   * `retryAfter` ms: it and every message after it go again, in order, it
   * first and alone. (Those after it that were on the wire are refused or,
   * by a relay of an older revision, routed: then their acks conclude them.)
   * About no message of the outbox, the outbox only waits.
   */
  takeBack(id: string | undefined, retryAfter: number): void {
    const entry = id !== undefined ? this.#entries.get(id) : undefined;
    if (!entry) {
      this.#holdUntil = Math.max(this.#holdUntil, Date.now() + retryAfter);
      return;
    }
    if (!entry.transmitted) return;
    let later = false;
    for (const candidate of this.#entries.values()) {
      later ||= candidate === entry;
      if (later) candidate.transmitted = false;
    }
    this.#retrying = entry.message.id;
    this.#holdUntil = Math.max(this.#holdUntil, Date.now() + retryAfter);
    this.flush();
  }

  /**
   * The relay forgot everyone: private messages from before wait (a little)
   * for their recipients to come back rather than fail at once.
   */
  awaitRecipients(): void {
    for (const entry of this.#entries.values()) if (entry.message.to) entry.beforeGap = true;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = undefined;
      for (const entry of this.#entries.values()) entry.beforeGap = false;
      if (this.#host.canWrite()) this.flush();
    }, GAP_GRACE_MS);
  }

  /**
   * Puts the outbox on the wire, oldest first, as fast as the relay's limits
   * allow, and never a message ahead of one before it: it stops at the first
   * that cannot go yet (no token, a retry not due, its recipients not back
   * after a relay restart, an earlier one being sent again alone) and
   * carries on when that changes.
   */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#host.canWrite()) return;
    const now = Date.now();
    if (now < this.#holdUntil) return this.#wake(this.#holdUntil - now);
    for (const entry of this.#entries.values()) {
      if (entry.transmitted) continue;
      if (this.#retrying !== undefined && this.#entries.get(this.#retrying)?.transmitted) return;
      if (entry.beforeGap && !this.#host.reachable(entry.message.to)) return;
      const wait = this.#bucket?.take(now) ?? 0;
      if (wait > 0) return this.#wake(wait);
      entry.transmitted = true;
      this.#host.transmit(entry.message);
    }
  }

  /** The link went down: nothing is on the wire any more, and everything goes again after the next handshake. */
  offline(): void {
    for (const entry of this.#entries.values()) entry.transmitted = false;
    this.#retrying = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The client is closing: private messages stop waiting for their recipients' return. */
  stop(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  #wake(ms: number): void {
    this.#timer = setTimeout(() => this.flush(), ms);
  }

  #save(): void {
    this.#host.save(this.messages);
  }
}
