// <ws-chat-panel> inside a real Angular 21 app (JIT-compiled in the browser,
// zoneless): a standalone component with CUSTOM_ELEMENTS_SCHEMA, [property]
// bindings and (event) bindings, as in demo/angular.
import '@angular/compiler';
import { expect } from '@open-wc/testing';
import { ApplicationRef, Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import '../../src/define.js';
import { createMessageCenter } from '../../src/index.js';
import type { ChatMessageEvent } from '../../src/events/chat-message-event.js';
import { expectBoundAndOnline, expectMessageEvent, expectReleased, panelsIn, startRelay } from '../support/framework-checks.js';

// Filled in by each test before bootstrapping.
const setup = { url: '', bus: createMessageCenter() };

@Component({
  selector: 'test-chat-app',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <message-center-provider [bus]="bus">
      @if (shown()) {
        <ws-chat-panel
          id="ada"
          [url]="url"
          [userName]="'Ada'"
          [maxMessages]="50"
          [strings]="{ title: title() }"
          (ws-chat-message)="received.push($event)"
          (ws-chat-status)="statuses.push($any($event).detail.status)"
        ></ws-chat-panel>
        <ws-chat-panel id="bob" [url]="url" userName="Bob" user-name="Bob"></ws-chat-panel>
      }
    </message-center-provider>
  `,
})
class ChatAppComponent {
  readonly bus = setup.bus;
  readonly url = setup.url;
  readonly title = signal('Support');
  readonly shown = signal(true);
  readonly received: ChatMessageEvent[] = [];
  readonly statuses: string[] = [];
}

async function bootstrap(url: string) {
  setup.url = url;
  setup.bus = createMessageCenter();
  const host = document.body.appendChild(document.createElement('test-chat-app'));
  const app: ApplicationRef = await bootstrapApplication(ChatAppComponent);
  const component = app.components[0]!.instance as ChatAppComponent;
  return { app, component, bus: setup.bus, host };
}

describe('<ws-chat-panel> in an Angular app', () => {
  it('binds properties, hands events to (event) bindings, and @if removal closes the sockets and bus handlers', async () => {
    const relay = await startRelay();
    const { app, component, bus, host } = await bootstrap(relay.url);
    try {
      await expectBoundAndOnline(host, bus, 'Support');
      expect(component.statuses).to.include('online');
      await expectMessageEvent(bus, component.received, 'hello from Bob');

      const panels = panelsIn(host);
      const { ada } = panels;
      component.title.set('Help');
      await app.whenStable();
      expect(panelsIn(host).ada === ada, 'the same element, updated in place').to.equal(true);
      expect(ada.strings).to.deep.equal({ title: 'Help' });

      component.shown.set(false);
      await app.whenStable();
      await expectReleased(relay, bus, panels);
    } finally {
      app.destroy();
      host.remove();
    }
  });

  it('destroying the application and removing its host element closes the sockets too', async () => {
    const relay = await startRelay();
    const { app, bus, host } = await bootstrap(relay.url);
    await expectBoundAndOnline(host, bus, 'Support');
    const panels = panelsIn(host);
    app.destroy();
    // Angular leaves the root component's DOM in place on destroy; whoever
    // mounted the app removes the host, and that is what ends the connections.
    expect(host.querySelectorAll('ws-chat-panel').length, 'Angular keeps the DOM after destroy').to.equal(2);
    host.remove();
    await expectReleased(relay, bus, panels);
  });
});
