// Side-effect free: importing this registers no element and touches no DOM.
import type { BusErrorDetail } from './bus/events.js';

/**
 * The events that travel on a message center, by name.
 *
 * Applications add their own by declaration merging, and from then on every
 * `emit`, `on` and `once` of that name is checked against the payload type:
 *
 * ```ts
 * declare module 'message-center' {
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
}

export { createMessageCenter } from './bus/message-center.js';
export type { EventName, MessageCenter, Unsubscribe, WildcardHandler } from './bus/message-center.js';
export type { BusErrorDetail } from './bus/events.js';
export { getDefaultMessageCenter } from './bus/default-message-center.js';
export { ensureContextRoot, messageCenterContext } from './context/message-center-context.js';
export { BusController } from './controllers/bus-controller.js';
export type { BusControllerOptions } from './controllers/bus-controller.js';
export { MessageCenterProvider } from './elements/message-center-provider/message-center-provider.js';
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
