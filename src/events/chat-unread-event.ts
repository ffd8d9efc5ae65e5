import type { UnreadDetail } from '../client/types.js';

/** How many messages from others the reader has not seen changed (a page can show its own badge from it). */
export class ChatUnreadEvent extends CustomEvent<UnreadDetail> {
  static readonly type = 'ws-chat-unread';
  constructor(detail: UnreadDetail) {
    super(ChatUnreadEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-unread': ChatUnreadEvent;
  }
}
