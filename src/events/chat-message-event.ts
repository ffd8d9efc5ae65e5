import type { ChatMessage } from '../client/types.js';

/** A message from someone else arrived. Bubbles and crosses shadow roots. */
export class ChatMessageEvent extends CustomEvent<ChatMessage> {
  static readonly type = 'ws-chat-message';
  constructor(detail: ChatMessage) {
    super(ChatMessageEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-message': ChatMessageEvent;
  }
}
