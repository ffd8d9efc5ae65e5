// Compile-time checks of the framework types: the React components' props and
// event props, and the Vue template types (GlobalComponents).
import type { ComponentProps } from 'react';
import type { GlobalComponents } from 'vue';
import type { ChatMessageEvent } from '../../src/events/chat-message-event.js';
import type { ChatStatusEvent } from '../../src/events/chat-status-event.js';
import type { ChatUnreadEvent } from '../../src/events/chat-unread-event.js';
import { MessageCenterProvider, WsChatPanel } from '../../src/react.js';
import type {} from '../../src/vue.js';
import { createMessageCenter } from '../../src/index.js';

// ── React ──────────────────────────────────────────────────────────────────
type PanelProps = ComponentProps<typeof WsChatPanel>;

const reactProps: PanelProps = {
  url: 'ws://localhost:3001/',
  userName: 'Ada',
  maxMessages: 50,
  theme: 'dark',
  strings: { title: 'Support' },
  token: () => Promise.resolve('t'),
  onWsChatMessage: (event) => {
    const text: string = event.detail.text;
    const typed: ChatMessageEvent = event;
    void text;
    void typed;
  },
  onWsChatStatus: (event) => {
    const status: 'connecting' | 'online' | 'reconnecting' | 'offline' = event.detail.status;
    void status;
  },
  titleBadge: true,
  notify: true,
  onWsChatUnread: (event) => {
    const counts: [number, number] = [event.detail.count, event.detail.mentions];
    void counts;
  },
};
void reactProps;
// @ts-expect-error maxMessages is a number
const reactBadNumber: PanelProps = { maxMessages: '50' };
// @ts-expect-error theme is auto, light or dark
const reactBadTheme: PanelProps = { theme: 'blue' };
// @ts-expect-error the message event carries a ChatMessage, not a number
const reactBadHandler: PanelProps = { onWsChatMessage: (event: CustomEvent<number>) => void event };
void reactBadNumber;
void reactBadTheme;
void reactBadHandler;
const providerProps: ComponentProps<typeof MessageCenterProvider> = { bus: createMessageCenter() };
void providerProps;

// ── Vue ────────────────────────────────────────────────────────────────────
type VuePanel = InstanceType<GlobalComponents['ws-chat-panel']>;
type VueProvider = InstanceType<GlobalComponents['message-center-provider']>;

const vueProps: VuePanel['$props'] = { url: 'ws://localhost:3001/', userName: 'Ada', maxMessages: 50, theme: 'light', titleBadge: true, notify: true };
void vueProps;
// @ts-expect-error maxMessages is a number
const vueBadNumber: VuePanel['$props'] = { maxMessages: '50' };
// @ts-expect-error status is read-only state, not a template property
const vueReadOnly: VuePanel['$props'] = { status: 'online' };
void vueBadNumber;
void vueReadOnly;
const vueProvider: VueProvider['$props'] = { bus: createMessageCenter() };
void vueProvider;

declare const emit: VuePanel['$emit'];
declare const messageEvent: ChatMessageEvent;
declare const statusEvent: ChatStatusEvent;
emit('ws-chat-message', messageEvent);
emit('ws-chat-status', statusEvent);
declare const unreadEvent: ChatUnreadEvent;
emit('ws-chat-unread', unreadEvent);
// @ts-expect-error ws-chat-unread carries a ChatUnreadEvent
emit('ws-chat-unread', statusEvent);
// @ts-expect-error not an event of the panel
emit('ws-chat-unknown', messageEvent);
// @ts-expect-error ws-chat-message carries a ChatMessageEvent
emit('ws-chat-message', statusEvent);
