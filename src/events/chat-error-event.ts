import type { ChatErrorDetail } from '../client/types.js';

/** The server refused something (with a stable `code`), or the connection had trouble. */
export class ChatErrorEvent extends CustomEvent<ChatErrorDetail> {
  static readonly type = 'ws-chat-error';
  constructor(detail: ChatErrorDetail) {
    super(ChatErrorEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-error': ChatErrorEvent;
  }
}
