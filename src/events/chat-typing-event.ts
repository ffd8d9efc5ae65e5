import type { TypingDetail } from '../client/typists.js';

/** Who is typing in one of the panel's conversations changed (someone started, stopped, sent, left, or went quiet). */
export class ChatTypingEvent extends CustomEvent<TypingDetail> {
  static readonly type = 'ws-chat-typing';
  constructor(detail: TypingDetail) {
    super(ChatTypingEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-typing': ChatTypingEvent;
  }
}
