import type { ChatMessage } from '../client/types.js';

/** One of your messages was accepted by the server (its `state` is `sent`, or `delivered` later). */
export class ChatSentEvent extends CustomEvent<ChatMessage> {
  static readonly type = 'ws-chat-sent';
  constructor(detail: ChatMessage) {
    super(ChatSentEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-sent': ChatSentEvent;
  }
}
