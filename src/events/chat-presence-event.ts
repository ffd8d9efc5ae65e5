import type { PresenceDetail } from '../client/types.js';

/** Who is online changed: the welcome roster, someone joined, or someone left. */
export class ChatPresenceEvent extends CustomEvent<PresenceDetail> {
  static readonly type = 'ws-chat-presence';
  constructor(detail: PresenceDetail) {
    super(ChatPresenceEvent.type, { detail, bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ws-chat-presence': ChatPresenceEvent;
  }
}
