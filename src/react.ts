// React components for the elements: `import { WsChatPanel } from 'lit-message-center/react'`.
//
// Made with @lit/react so that they behave the same on React 18 (which sets
// only attributes and knows no custom events) and React 19: every property is
// set as a property, and each DOM event is an `on…` prop, named after the
// event (`ws-chat-message` → `onWsChatMessage`). Importing this module
// registers the elements (skipping tags already defined).
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { MessageCenterProvider as MessageCenterProviderElement } from './elements/message-center-provider/define.js';
import { WsChatPanel as WsChatPanelElement } from './elements/ws-chat-panel/define.js';
import type { ChatErrorEvent } from './events/chat-error-event.js';
import type { ChatGapEvent } from './events/chat-gap-event.js';
import type { ChatMessageEvent } from './events/chat-message-event.js';
import type { ChatPresenceEvent } from './events/chat-presence-event.js';
import type { ChatSentEvent } from './events/chat-sent-event.js';
import type { ChatStatusEvent } from './events/chat-status-event.js';
import type { ChatUnreadEvent } from './events/chat-unread-event.js';

/** `<message-center-provider>`: shares one bus (`bus` prop, optional) with the elements inside it. */
export const MessageCenterProvider = createComponent({
  react: React,
  tagName: 'message-center-provider',
  elementClass: MessageCenterProviderElement,
  displayName: 'MessageCenterProvider',
});

/** `<ws-chat-panel>`: the chat panel. Its events are `on…` props with typed events. */
export const WsChatPanel = createComponent({
  react: React,
  tagName: 'ws-chat-panel',
  elementClass: WsChatPanelElement,
  displayName: 'WsChatPanel',
  events: {
    onWsChatMessage: 'ws-chat-message' as EventName<ChatMessageEvent>,
    onWsChatSent: 'ws-chat-sent' as EventName<ChatSentEvent>,
    onWsChatStatus: 'ws-chat-status' as EventName<ChatStatusEvent>,
    onWsChatPresence: 'ws-chat-presence' as EventName<ChatPresenceEvent>,
    onWsChatError: 'ws-chat-error' as EventName<ChatErrorEvent>,
    onWsChatGap: 'ws-chat-gap' as EventName<ChatGapEvent>,
    onWsChatUnread: 'ws-chat-unread' as EventName<ChatUnreadEvent>,
  },
});

export type MessageCenterProviderProps = React.ComponentProps<typeof MessageCenterProvider>;
export type WsChatPanelProps = React.ComponentProps<typeof WsChatPanel>;
