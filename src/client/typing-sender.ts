import { Typing } from '../protocol/constants.js';
import type { TypingFrame } from '../protocol/frames.js';

/** Where the user types: a room (absent: your first room), or to the peers of a private conversation. */
export interface TypingTarget {
  readonly room?: string;
  readonly to?: readonly string[];
}

/** Conversations whose typing state is remembered at most; the oldest goes first (it then sends no stop). */
const MAX_TARGETS = 32;

/**
 * Says that the user is typing, as seldom as listeners allow (PROTOCOL.md
 * §23): once when typing starts in a conversation, again only after
 * `Typing.repeatMs` while it goes on (listeners forget a typist after
 * `Typing.expireMs`), and `stop` once when it ends, only where it was said.
 */
export class TypingSender {
  /** When `typing` last went out, by conversation. */
  readonly #said = new Map<string, number>();
  readonly #write: (frame: TypingFrame) => void;
  readonly #now: () => number;

  constructor(write: (frame: TypingFrame) => void, now: () => number = Date.now) {
    this.#write = write;
    this.#now = now;
  }

  /** `room`: the room it is in (the caller resolves the default). */
  update(target: { readonly room: string } | { readonly to: readonly string[] }, active: boolean): void {
    const key = 'room' in target ? `#${target.room}` : [...new Set(target.to)].sort().join('\u0000');
    const frame: TypingFrame = 'room' in target ? { type: 'typing', room: target.room } : { type: 'typing', to: { ids: [...new Set(target.to)] } };
    const said = this.#said.get(key);
    if (!active) {
      if (said === undefined) return;
      this.#said.delete(key);
      this.#write({ ...frame, stop: true });
      return;
    }
    const now = this.#now();
    if (said !== undefined && now - said < Typing.repeatMs) return;
    this.#said.delete(key);
    this.#said.set(key, now);
    if (this.#said.size > MAX_TARGETS) this.#said.delete(this.#said.keys().next().value!);
    this.#write(frame);
  }

  /** The link went: what was said went with it, and typing is said afresh on the next one. */
  reset(): void {
    this.#said.clear();
  }
}
