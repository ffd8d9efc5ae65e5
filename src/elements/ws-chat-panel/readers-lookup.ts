import type { ReactiveControllerHost } from 'lit';
import type { ChatConnection } from '../../controllers/chat-controller.js';
import type { ChatMessage, Peer } from '../../client/types.js';
import { ErrorCode } from '../../protocol/constants.js';

/** What the panel shows of who read one of your room messages. */
export type ReadersAnswer =
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly count: number; readonly peers: readonly Peer[] }
  /** `tooLarge`: the room grew past the relay's threshold (the panel had not heard yet), and keeps no read positions. */
  | { readonly state: 'failed'; readonly tooLarge: boolean };

/** Answers kept (one per message asked about); the oldest are forgotten beyond this. */
const KEPT = 200;

/**
 * "Seen by…" on your own room messages: asks the relay who of the room has
 * read up to the message, on demand only (a person pressed the button), and
 * keeps the answer to show until asked again.
 */
export class ReadersLookup {
  readonly #answers = new Map<string, ReadersAnswer>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => ChatConnection | undefined,
  ) {}

  get(key: string): ReadersAnswer | undefined {
    return this.#answers.get(key);
  }

  ask(message: ChatMessage, room: string): void {
    const client = this.client();
    if (!client || message.offset === undefined) return;
    this.#set(message.key, { state: 'loading' });
    client.readers(room, message.offset).then(
      ({ count, peers }) => this.#set(message.key, { state: 'done', count, peers }),
      (error: { code?: string }) => this.#set(message.key, { state: 'failed', tooLarge: error.code === ErrorCode.RoomTooLarge }),
    );
  }

  #set(key: string, answer: ReadersAnswer): void {
    this.#answers.delete(key);
    this.#answers.set(key, answer);
    if (this.#answers.size > KEPT) this.#answers.delete(this.#answers.keys().next().value!);
    this.host.requestUpdate();
  }
}
