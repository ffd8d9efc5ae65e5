import type { ReactiveControllerHost } from 'lit';
import type { ChatMessage, ChatNotice } from '../../client/types.js';

export type Item =
  | { readonly kind: 'message'; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: 'notice'; readonly key: string; readonly notice: ChatNotice };

/**
 * Which of two entries came first: by the relay's offsets when both have one
 * (a burst shares its milliseconds), else by time.
 */
const order = (a: ChatMessage, b: { readonly ts: number; readonly offset?: number }): number =>
  a.offset !== undefined && b.offset !== undefined ? a.offset - b.offset : a.ts - b.ts;

/**
 * What the panel's log holds, oldest first: messages and notices, each key
 * once, at most `max()` of them (the oldest go first), and which long
 * messages the reader asked to see whole. Every change asks the host to
 * render.
 */
export class MessageList {
  #list: Item[] = [];
  readonly #keys = new Set<string>();
  /** Long messages the reader asked to see whole, by key. */
  readonly #expanded = new Set<string>();

  readonly #host: ReactiveControllerHost;
  readonly #max: () => number;

  constructor(host: ReactiveControllerHost, max: () => number) {
    this.#host = host;
    this.#max = max;
  }

  get items(): readonly Item[] {
    return this.#list;
  }

  get messages(): ChatMessage[] {
    return this.#list.flatMap((item) => (item.kind === 'message' ? [item.message] : []));
  }

  /** Adds `item` unless its key is in the log already; returns whether it did. */
  add(item: Item): boolean {
    if (this.#keys.has(item.key)) return false;
    this.#push(item);
    this.trim();
    this.#host.requestUpdate();
    return true;
  }

  /**
   * Adds the messages whose keys are not in the log yet, each by its time:
   * history a page loads from its store usually comes after the live
   * messages, and belongs before them. The batch is sorted by `ts` (equal
   * times keep their order; messages from the relay by their offsets) and
   * merged into the log, which keeps its own order: what the log holds never
   * moves, and at equal times what it held goes first. One pass, so a page of 10,000 costs a sort, not 10,000
   * insertions.
   */
  addMessages(messages: readonly ChatMessage[]): void {
    const fresh = new Map<string, ChatMessage>();
    for (const message of messages) if (!this.#keys.has(message.key) && !fresh.has(message.key)) fresh.set(message.key, message);
    if (fresh.size === 0) return;
    const incoming = [...fresh.values()].sort(order);
    const merged: Item[] = [];
    let next = 0;
    for (const item of this.#list) {
      const held = item.kind === 'message' ? item.message : item.notice;
      while (next < incoming.length && order(incoming[next]!, held) < 0) merged.push(this.#track(incoming[next++]!));
      merged.push(item);
    }
    while (next < incoming.length) merged.push(this.#track(incoming[next++]!));
    this.#list = merged;
    this.trim();
    this.#host.requestUpdate();
  }

  /** Replaces the message with `message`'s key; returns false when there is none (any more). */
  replace(message: ChatMessage): boolean {
    const index = this.#indexOf(message.key);
    if (index < 0) return false;
    this.#list[index] = { kind: 'message', key: message.key, message };
    this.#host.requestUpdate();
    return true;
  }

  remove(key: string): void {
    const index = this.#indexOf(key);
    if (index < 0) return;
    this.#keys.delete(key);
    this.#expanded.delete(key);
    this.#list.splice(index, 1);
    this.#host.requestUpdate();
  }

  find(key: string): ChatMessage | undefined {
    const item = this.#list[this.#indexOf(key)];
    return item?.kind === 'message' ? item.message : undefined;
  }

  /** Drops the oldest items beyond `max()` (at least one item is kept). */
  trim(): void {
    const excess = this.#list.length - Math.max(1, this.#max());
    if (excess <= 0) return;
    for (const item of this.#list.splice(0, excess)) {
      this.#keys.delete(item.key);
      this.#expanded.delete(item.key);
    }
  }

  clear(): void {
    this.#list = [];
    this.#keys.clear();
    this.#expanded.clear();
    this.#host.requestUpdate();
  }

  isExpanded(key: string): boolean {
    return this.#expanded.has(key);
  }

  toggleExpanded(key: string): void {
    if (!this.#expanded.delete(key)) this.#expanded.add(key);
    this.#host.requestUpdate();
  }

  #track(message: ChatMessage): Item {
    this.#keys.add(message.key);
    return { kind: 'message', key: message.key, message };
  }

  #push(item: Item): void {
    this.#keys.add(item.key);
    this.#list.push(item);
  }

  /** Searched from the end: what changes is mostly recent. */
  #indexOf(key: string): number {
    for (let i = this.#list.length - 1; i >= 0; i--) if (this.#list[i]!.key === key) return i;
    return -1;
  }
}
