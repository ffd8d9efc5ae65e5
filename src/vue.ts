// Template types for Vue: `import type {} from 'lit-message-center/vue'` once (for
// instance in env.d.ts) and vue-tsc / Volar check the properties and events
// of <ws-chat-panel> and <message-center-provider> in every template.
//
// Types only: the elements are registered by `import 'lit-message-center/define'`,
// and Vue's compiler must be told they are custom elements (`isCustomElement`),
// as the README shows. The shape follows Vue's guide to typing non-Vue web
// components.
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { MessageCenterProvider } from './elements/message-center-provider/message-center-provider.js';
import type { WsChatPanel } from './elements/ws-chat-panel/ws-chat-panel.js';
import type { ChatErrorEvent } from './events/chat-error-event.js';
import type { ChatGapEvent } from './events/chat-gap-event.js';
import type { ChatMessageEvent } from './events/chat-message-event.js';
import type { ChatPresenceEvent } from './events/chat-presence-event.js';
import type { ChatSentEvent } from './events/chat-sent-event.js';
import type { ChatStatusEvent } from './events/chat-status-event.js';
import type { ChatUnreadEvent } from './events/chat-unread-event.js';

type EventMap = Record<string, Event>;

/** A custom element as Vue's template type checker sees a component. */
export type DefineCustomElement<
  ElementType extends HTMLElement,
  Events extends EventMap = {},
  SelectedProperties extends keyof ElementType = keyof ElementType,
> = new () => ElementType & {
  /** @deprecated For template type checking only; do not read `$props` on an element. */
  $props: HTMLAttributes & Partial<Pick<ElementType, SelectedProperties>> & PublicProps;
  /** @deprecated For template type checking only; the element dispatches DOM events. */
  $emit: EmitFn<{ [K in keyof Events]: (event: Events[K]) => void }>;
};

/** The DOM events of `<ws-chat-panel>`, by name (`@ws-chat-message="…"`). */
export type WsChatPanelEvents = {
  'ws-chat-message': ChatMessageEvent;
  'ws-chat-sent': ChatSentEvent;
  'ws-chat-status': ChatStatusEvent;
  'ws-chat-presence': ChatPresenceEvent;
  'ws-chat-error': ChatErrorEvent;
  'ws-chat-gap': ChatGapEvent;
  'ws-chat-unread': ChatUnreadEvent;
};

declare module 'vue' {
  interface GlobalComponents {
    'message-center-provider': DefineCustomElement<MessageCenterProvider, {}, 'bus'>;
    'ws-chat-panel': DefineCustomElement<
      WsChatPanel,
      WsChatPanelEvents,
      'url' | 'userName' | 'protocol' | 'maxMessages' | 'theme' | 'token' | 'strings' | 'titleBadge' | 'notify'
    >;
  }
}

export {};
