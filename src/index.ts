// Side-effect free: importing this registers no element and touches no DOM.
import type { BusErrorDetail } from './bus/events.js';
import type { ChatErrorDetail, ChatMessage, GapDetail, PresenceDetail, StatusDetail, Target, UnreadDetail } from './client/types.js';
import type { TypingDetail } from './client/typists.js';

/** Which panel an event on the bus came from: its `id` attribute, or else its `user-name`. */
export interface FromPanel {
  readonly panel: string;
}

/** Ask panels on the bus to send a message. */
export interface ChatSendRequest {
  /** The payload; panels send and show strings as they are. */
  readonly data: unknown;
  /** Private recipients; everyone when absent. */
  readonly to?: Target;
  /** Only the panel with this `id` (or `user-name`); every panel on the bus when absent. */
  readonly panel?: string;
  /** Peer ids the message mentions. */
  readonly mentions?: readonly string[];
}

/**
 * The events that travel on a message center, by name.
 *
 * Applications add their own by declaration merging, and from then on every
 * `emit`, `on` and `once` of that name is checked against the payload type:
 *
 * ```ts
 * declare module 'lit-message-center' {
 *   interface MessageCenterEvents {
 *     globalMessage: { text: string };
 *   }
 * }
 * ```
 *
 * It is declared in this entry module (not re-exported) because TypeScript
 * merges declarations only into the module that declares the interface.
 */
export interface MessageCenterEvents {
  /**
   * A handler threw. Handlers are isolated from each other, so the error is
   * reported here instead of stopping the other handlers or the emitter.
   */
  'bus:error': BusErrorDetail;
  /** A `<ws-chat-panel>` received a message from someone else. */
  'chat:message': ChatMessage & FromPanel;
  /** The server accepted one of a panel's own messages. */
  'chat:sent': ChatMessage & FromPanel;
  /** A panel's connection status changed. */
  'chat:status': StatusDetail & FromPanel;
  /** Who is online changed. */
  'chat:presence': PresenceDetail & FromPanel;
  /** The server refused something, or the connection had trouble. */
  'chat:error': ChatErrorDetail & FromPanel;
  /** Messages may have been missed while disconnected and cannot be replayed. */
  'chat:gap': GapDetail & FromPanel;
  /** How many messages a panel's reader has not seen changed (see `ws-chat-unread`). */
  'chat:unread': UnreadDetail & FromPanel;
  /** Who is typing in one of a panel's conversations changed (v1). */
  'chat:typing': TypingDetail & FromPanel;
  /** A command: panels on this bus send `data` (to `to`, or everyone). */
  'chat:send': ChatSendRequest;
}

export { createMessageCenter } from './bus/message-center.js';
export type { EventName, MessageCenter, Unsubscribe, WildcardHandler } from './bus/message-center.js';
export type { BusErrorDetail } from './bus/events.js';
export { getDefaultMessageCenter } from './bus/default-message-center.js';
export { ensureContextRoot, messageCenterContext } from './context/message-center-context.js';
export { BusController } from './controllers/bus-controller.js';
export type { BusControllerOptions } from './controllers/bus-controller.js';
export { MessageCenterProvider } from './elements/message-center-provider/message-center-provider.js';
export { WsChatPanel } from './elements/ws-chat-panel/ws-chat-panel.js';
export type { HistoryMessage } from './elements/ws-chat-panel/history-message.js';
export { ChatClient } from './client/chat-client.js';
export type { ChatClientEvents, ChatClientOptions, TokenSource } from './client/chat-client.js';
export { canShare, SharedChatClient } from './client/shared-client.js';
export type { SharingRole } from './client/shared-client.js';
export type { HistoryPage } from './client/v1-dialect.js';
export type { Limits } from './protocol/frames.js';
export { ChatRequestError } from './client/requests.js';
export type { RoomState } from './client/rooms.js';
export type { ReadersResult, SearchResult } from './client/v1-dialect.js';
export { conversationKey } from './client/typists.js';
export type { Conversation, TypingDetail } from './client/typists.js';
export type { TypingTarget } from './client/typing-sender.js';
export { browserStore, memoryStore } from './client/persistence.js';
export type { ClientStore, ResumeState, StoredReceipts } from './client/persistence.js';
export type {
  ChatErrorDetail,
  ChatMessage,
  ChatNotice,
  ChatProtocol,
  ChatStatus,
  DeliveryState,
  GapDetail,
  HistoryDetail,
  Peer,
  PresenceDetail,
  SendOptions,
  StatusDetail,
  Target,
  UnreadDetail,
} from './client/types.js';
export { ChatErrorEvent } from './events/chat-error-event.js';
export { ChatGapEvent } from './events/chat-gap-event.js';
export { ChatMessageEvent } from './events/chat-message-event.js';
export { ChatPresenceEvent } from './events/chat-presence-event.js';
export { ChatSentEvent } from './events/chat-sent-event.js';
export { ChatStatusEvent } from './events/chat-status-event.js';
export { ChatUnreadEvent } from './events/chat-unread-event.js';
export { ChatTypingEvent } from './events/chat-typing-event.js';
export { en, pickLocale } from './i18n/strings.js';
export type { ChatStrings, Locale } from './i18n/strings.js';
export { ReWebSocketService } from './transport/re-websocket-service.js';
export type {
  CloseLike,
  ConnectionState,
  ConnectionStateChange,
  ReWebSocketServiceOptions,
  SendResult,
  UrlProvider,
  WebSocketConstructor,
} from './transport/re-websocket-service.js';
export { retryDelay } from './transport/backoff.js';
export type { BackoffOptions } from './transport/backoff.js';
