// What this client tells the relay it has shown to a person (PROTOCOL.md
// section 24): `read` frames, gathered for a moment so a screenful goes in
// one, at most 100 offsets each, never twice for one offset, never for your
// own messages.
import { FieldLimits } from '../protocol/constants.js';
import type { ClientFrame } from '../protocol/frames.js';

/** Gathered this long before they go: a scroll shows many at once. */
export const READ_DEBOUNCE_MS = 250;
/** Offsets remembered as reported (and as your own); the oldest are forgotten beyond this. */
const REMEMBERED = 10_000;
/** The key of private messages among the queues (room names are never empty). */
const PRIVATE = '';

/** A Set that forgets its oldest beyond `REMEMBERED`. */
class Recent {
  readonly #set = new Set<number>();
  has(offset: number): boolean {
    return this.#set.has(offset);
  }
  add(offset: number): void {
    this.#set.add(offset);
    if (this.#set.size > REMEMBERED) this.#set.delete(this.#set.values().next().value!);
  }
  clear(): void {
    this.#set.clear();
  }
}

export class ReadReports {
  /** By room ('' for private messages): offsets waiting to go. */
  readonly #queued = new Map<string, Set<number>>();
  readonly #reported = new Recent();
  readonly #own = new Recent();
  #epoch: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Writes a frame now; false when offline (what was queued stays for the next welcome). */
    private readonly write: (frame: ClientFrame) => boolean,
  ) {}

  /** One of your messages got this offset: it is never reported read. */
  own(offset: number): void {
    this.#own.add(offset);
  }

  /** Offsets are only worth comparing within one epoch: a new one starts afresh. */
  epoch(epoch: string): void {
    if (epoch === this.#epoch) return;
    if (this.#epoch !== undefined) {
      this.#reported.clear();
      this.#own.clear();
      this.#queued.clear();
    }
    this.#epoch = epoch;
  }

  /** Queues offsets of messages shown (of `room`, or private ones); they go soon, with whatever else is shown meanwhile. */
  add(offsets: Iterable<number>, room: string | undefined): void {
    const key = room ?? PRIVATE;
    let queue = this.#queued.get(key);
    for (const offset of offsets) {
      if (!Number.isSafeInteger(offset) || offset < 0 || this.#reported.has(offset) || this.#own.has(offset)) continue;
      if (!queue) this.#queued.set(key, (queue = new Set()));
      queue.add(offset);
    }
    if (this.#queued.size > 0) this.#timer ??= setTimeout(() => this.flush(), READ_DEBOUNCE_MS);
  }

  /** Sends what is queued (called by the timer, and after a welcome). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [key, queue] of this.#queued) {
      const offsets = [...queue].sort((a, b) => a - b);
      for (let start = 0; start < offsets.length; start += FieldLimits.maxReadOffsets) {
        const chunk = offsets.slice(start, start + FieldLimits.maxReadOffsets);
        if (!this.write({ type: 'read', offsets: chunk, ...(key === PRIVATE ? {} : { room: key }) })) return;
        for (const offset of chunk) {
          this.#reported.add(offset);
          queue.delete(offset);
        }
      }
      this.#queued.delete(key);
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
