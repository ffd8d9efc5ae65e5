import type { GapDetail } from '../client/types.js';

/** Messages may have been missed while disconnected and cannot be replayed; the panel says so in the stream. */
export class ChatGapEvent extends CustomEvent<GapDetail> {
  static readonly type = 'ws-chat-gap';
  constructor(detail: GapDetail) {
    super(ChatGapEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-gap': ChatGapEvent;
  }
}
