import type { StatusDetail } from '../client/types.js';

/** The connection status changed: connecting, online, reconnecting (with `retryAt`) or offline. */
export class ChatStatusEvent extends CustomEvent<StatusDetail> {
  static readonly type = 'ws-chat-status';
  constructor(detail: StatusDetail) {
    super(ChatStatusEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-status': ChatStatusEvent;
  }
}
