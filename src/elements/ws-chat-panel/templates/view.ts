import type { ChatMessage, ChatProtocol } from '../../../client/types.js';
import type { ReadTrackerController } from '../../../controllers/read-tracker-controller.js';
import type { StickyScrollController } from '../../../controllers/sticky-scroll-controller.js';
import type { ChatStrings, Locale } from '../../../i18n/strings.js';
import type { ComposerController } from '../composer-controller.js';
import type { Today } from '../days.js';
import type { ConnectionStatusController } from '../connection-status-controller.js';
import type { HistoryLoader } from '../history-loader.js';
import type { MentionPicker } from '../mention-picker.js';
import type { MessageList } from '../message-list.js';
import type { NotifyController } from '../notify-controller.js';
import type { UnreadController } from '../unread-controller.js';
import type { People } from '../people.js';
import type { ShownTypist } from '../typing-indicator.js';
import type { ReadersLookup } from '../readers-lookup.js';

/** What the panel's templates show, and the actions they offer: the element gives them its parts. */
export interface PanelView {
  readonly t: ChatStrings;
  /** The language whose strings `t` holds (for dates, lists and sorting). */
  readonly locale: Locale;
  /** The language asked for is loading: live regions stay quiet until it shows (nothing is announced twice). */
  readonly quiet: boolean;
  readonly protocol: ChatProtocol;
  /** The panel's title as shown (the `title` slot's text, or the built-in one). */
  readonly title: string;
  readonly userName: string;
  readonly rosterShown: boolean;
  readonly connection: ConnectionStatusController;
  readonly people: People;
  readonly list: MessageList;
  readonly scroll: StickyScrollController;
  readonly composer: ComposerController;
  /** The people `@` offers in the composer. */
  readonly mention: MentionPicker;
  readonly history: HistoryLoader;
  /** Which day is today (the log's day separators say "Today" and "Yesterday"). */
  readonly today: Today;
  /** The panel's rooms, in order (several: messages show theirs, and the composer picks one). */
  readonly rooms: readonly string[];
  readonly unread: UnreadController;
  readonly notifications: NotifyController;
  /** To the latest message (the "N new messages" button). */
  readonly jumpToLatest: () => void;
  /** Who else is typing in the panel's conversations (v1; empty in legacy mode). */
  readonly typists: readonly ShownTypist[];
  readonly onScroll: () => void;
  /** The roster's search field changed (a large room). */
  readonly search: (event: Event) => void;
  readonly toggleRoster: () => void;
  readonly titleChanged: () => void;
  readonly reconnect: () => void;
  readonly retry: (message: ChatMessage) => void;
  /** Watches others' messages until a person has seen them (read receipts). */
  readonly reads: ReadTrackerController;
  /** Whether the panel sends read receipts (`receipts` is not "off"): a change watches messages again. */
  readonly receipts: boolean;
  /** "Seen by…" under your own room messages. */
  readonly readers: ReadersLookup;
}
