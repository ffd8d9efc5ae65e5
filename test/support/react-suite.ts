// The React test, run on React 19 (react.test.ts) and on React 18
// (react-18.test.ts, in a test group whose import map swaps the React build).
import { expect } from '@open-wc/testing';
import { createElement as h, StrictMode, version } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { createMessageCenter } from '../../src/index.js';
import { MessageCenterProvider, WsChatPanel } from '../../src/react.js';
import type { ChatMessageEvent } from '../../src/events/chat-message-event.js';
import { expectBoundAndOnline, expectMessageEvent, expectReleased, panelsIn, startRelay } from './framework-checks.js';

export function reactSuite(major: '18' | '19'): void {
  describe(`lit-message-center/react on React ${major}`, () => {
    it(`runs on React ${major}`, () => {
      expect(version.split('.')[0]).to.equal(major);
    });

    it('binds properties, hands events to on… props, and unmounting closes the sockets and bus handlers', async () => {
      const relay = await startRelay();
      const bus = createMessageCenter();
      const received: ChatMessageEvent[] = [];
      const statuses: string[] = [];
      const App = ({ title }: { title: string }) =>
        h(
          StrictMode,
          null,
          h(
            MessageCenterProvider,
            { bus },
            h(WsChatPanel, {
              id: 'ada',
              url: relay.url,
              userName: 'Ada',
              maxMessages: 50,
              strings: { title },
              onWsChatMessage: (event) => received.push(event),
              onWsChatStatus: (event) => statuses.push(event.detail.status),
            }),
            h(WsChatPanel, { id: 'bob', url: relay.url, userName: 'Bob' }),
          ),
        );

      const container = document.body.appendChild(document.createElement('div'));
      const root = createRoot(container);
      try {
        flushSync(() => root.render(h(App, { title: 'Support' })));
        await expectBoundAndOnline(container, bus, 'Support');
        expect(statuses).to.include('online');
        await expectMessageEvent(bus, received, 'hello from Bob');

        // A re-render updates the property in place: same element, same connection.
        const panels = panelsIn(container);
        const { ada } = panels;
        flushSync(() => root.render(h(App, { title: 'Help' })));
        expect(panelsIn(container).ada === ada, 'the same element, updated in place').to.equal(true);
        expect(ada.strings).to.deep.equal({ title: 'Help' });
        expect(statuses.filter((status) => status === 'connecting')).to.have.length(1);

        flushSync(() => root.unmount());
        await expectReleased(relay, bus, panels);
      } finally {
        container.remove();
      }
    });
  });
}
