// <ws-chat-panel> inside a real Vue 3 app, written as Vue users write it: a
// template with :prop bindings and @event listeners, the elements declared as
// custom elements to Vue's compiler (isCustomElement).
import { expect } from '@open-wc/testing';
import { createApp, nextTick, ref } from 'vue';
import '../../src/define.js';
import { createMessageCenter } from '../../src/index.js';
import type { ChatMessageEvent } from '../../src/events/chat-message-event.js';
import { expectBoundAndOnline, expectMessageEvent, expectReleased, panelsIn, startRelay } from '../support/framework-checks.js';

const template = `
  <message-center-provider :bus="bus">
    <template v-if="shown">
      <ws-chat-panel
        id="ada"
        :url="url"
        user-name="Ada"
        :max-messages="50"
        :strings="{ title }"
        @ws-chat-message="received.push($event)"
        @ws-chat-status="statuses.push($event.detail.status)"
      ></ws-chat-panel>
      <ws-chat-panel id="bob" :url="url" user-name="Bob"></ws-chat-panel>
    </template>
  </message-center-provider>
`;

async function mount(url: string) {
  const bus = createMessageCenter();
  const received: ChatMessageEvent[] = [];
  const statuses: string[] = [];
  const title = ref('Support');
  const shown = ref(true);
  const app = createApp({ template, setup: () => ({ bus, url, title, shown, received, statuses }) });
  app.config.compilerOptions.isCustomElement = (tag) => tag === 'message-center-provider' || tag.startsWith('ws-');
  const warnings: string[] = [];
  app.config.warnHandler = (message) => warnings.push(message);
  const container = document.body.appendChild(document.createElement('div'));
  app.mount(container);
  return { app, bus, received, statuses, title, shown, container, warnings };
}

describe('<ws-chat-panel> in a Vue 3 app', () => {
  it('binds properties, hands events to @listeners, and v-if removal closes the sockets and bus handlers', async () => {
    const relay = await startRelay();
    const { app, bus, received, statuses, title, shown, container, warnings } = await mount(relay.url);
    try {
      await expectBoundAndOnline(container, bus, 'Support');
      expect(statuses).to.include('online');
      await expectMessageEvent(bus, received, 'hello from Bob');

      const panels = panelsIn(container);
      const { ada } = panels;
      title.value = 'Help';
      await nextTick();
      expect(panelsIn(container).ada === ada, 'the same element, updated in place').to.equal(true);
      expect(ada.strings).to.deep.equal({ title: 'Help' });

      shown.value = false;
      await nextTick();
      await expectReleased(relay, bus, panels);
      expect(warnings, 'Vue resolved no element as a component').to.deep.equal([]);
    } finally {
      app.unmount();
      container.remove();
    }
  });

  it('app.unmount() closes the sockets too', async () => {
    const relay = await startRelay();
    const { app, bus, container } = await mount(relay.url);
    try {
      await expectBoundAndOnline(container, bus, 'Support');
      const panels = panelsIn(container);
      app.unmount();
      await expectReleased(relay, bus, panels);
    } finally {
      container.remove();
    }
  });
});
