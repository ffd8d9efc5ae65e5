import type { ReactiveControllerHost } from 'lit';
import type { ChatConnection } from '../../controllers/chat-controller.js';
import type { ChatMessage, HistoryDetail } from '../../client/types.js';
import type { MessageList } from './message-list.js';

/**
 * The relay's history in the panel's log: the first page (the client loads
 * it after its first welcome), and older pages as the reader reaches the
 * top. A message already shown, live or from an earlier page, is not added
 * again: by its offset, or for your own, by their id. The log keeps its `max-messages`: once full, no older page is
 * asked for, as it would push out the very messages it brought.
 */
export class HistoryLoader {
  /** An older page is on its way. */
  loading = false;
  /** The first page arrived. */
  started = false;
  /** The relay may keep older messages. */
  more = false;

  readonly #host: ReactiveControllerHost;
  readonly #list: MessageList;
  readonly #client: () => ChatConnection | undefined;
  readonly #max: () => number;

  constructor(host: ReactiveControllerHost, list: MessageList, client: () => ChatConnection | undefined, max: () => number) {
    this.#host = host;
    this.#list = list;
    this.#client = client;
    this.#max = max;
  }

  /** A page arrived (the first one, from the client's `history` event). */
  add({ messages, more }: HistoryDetail): void {
    this.started = true;
    this.more = more;
    // Your own carry a local key, and until acknowledged no offset: known by their id.
    const shown = new Set<unknown>(this.#list.messages.flatMap((message) => [message.offset, message.own && message.id]));
    this.#list.addMessages(messages.filter((message: ChatMessage) => !shown.has(message.offset) && !(message.own && shown.has(message.id))));
    this.#host.requestUpdate();
  }

  /** Loads the page before the oldest shown, unless one is on its way, there is none, or the log is full. */
  readonly older = (): void => {
    const client = this.#client();
    if (!client || this.loading || !this.more || this.#list.items.length >= this.#max()) return;
    this.loading = true;
    this.#host.requestUpdate();
    client
      .loadOlder()
      // Failed (offline, timed out): `more` stays, and reaching the top again tries again.
      .then((page) => client === this.#client() && this.add(page), () => {})
      .finally(() => {
        this.loading = false;
        this.#host.requestUpdate();
      });
  };

  /** A new client (another relay, name or rooms): its history is another one. */
  reset(): void {
    this.started = this.more = this.loading = false;
  }
}
