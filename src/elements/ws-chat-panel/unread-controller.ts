import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatMessage, UnreadDetail } from '../../client/types.js';
import { mentionsYou } from './mentions-you.js';

export interface UnreadOptions {
  /** The reader is at the latest message of the log (StickyScrollController). */
  readonly atLatest: () => boolean;
  /** Your own session's id, to tell a mention of you. */
  readonly selfId: () => string | undefined;
  /** The count changed. */
  readonly changed: (detail: UnreadDetail) => void;
}

const pageVisible = (): boolean => typeof document === 'undefined' || document.visibilityState !== 'hidden';

/**
 * Counts the messages from others that arrive where the reader cannot see
 * them: while the log is scrolled up from its latest message, or while the
 * page is hidden (another tab, a minimised window). They count as seen once
 * both hold again: the log at its latest and the page visible, whichever
 * comes last. The one count behind the header's badge, the "N new
 * messages" button, the title badge and `ws-chat-unread`.
 *
 * Only live messages come here: history loaded from the relay's log, your
 * own messages and join/leave notices are not news to count.
 */
export class UnreadController implements ReactiveController, UnreadDetail {
  count = 0;
  mentions = 0;

  readonly #host: ReactiveControllerHost;
  readonly #options: UnreadOptions;

  constructor(host: ReactiveControllerHost, options: UnreadOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.check);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.check);
  }

  /** A live message from someone else was added to the log. */
  arrived(message: ChatMessage): void {
    if (message.own || this.#seen()) return;
    this.#set(this.count + 1, this.mentions + (mentionsYou(message, this.#options.selfId()) ? 1 : 0));
  }

  /** The reader may see the latest now (they scrolled, jumped or wrote, or the page became visible): clears what they see. */
  readonly check = (): void => {
    if (this.count && this.#seen()) this.#set(0, 0);
  };

  /** The log was emptied: nothing in it is left unseen. */
  reset(): void {
    if (this.count) this.#set(0, 0);
  }

  #seen(): boolean {
    return this.#options.atLatest() && pageVisible();
  }

  #set(count: number, mentioned: number): void {
    this.count = count;
    this.mentions = mentioned;
    this.#host.requestUpdate();
    this.#options.changed({ count, mentions: mentioned });
  }
}
