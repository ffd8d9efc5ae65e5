import type { ReactiveControllerHost } from 'lit';
import type { ChatMessage, ChatNotice } from '../../client/types.js';

export type Item =
  | { readonly kind: 'message'; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: 'notice'; readonly key: string; readonly notice: ChatNotice };

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

  /** Adds the messages whose keys are not in the log yet. */
  addMessages(messages: readonly ChatMessage[]): void {
    for (const message of messages) if (!this.#keys.has(message.key)) this.#push({ kind: 'message', key: message.key, message });
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
