// What every framework test proves about the elements it mounted: the
// properties arrived as properties, both panels are online on the app's bus,
// a DOM event reached the framework's handler, and unmounting released
// everything (no socket left at the relay, no handler left on the bus).
import { expect } from '@open-wc/testing';
import type { MessageCenter } from '../../src/bus/message-center.js';
import type { WsChatPanel } from '../../src/elements/ws-chat-panel/ws-chat-panel.js';
import { ChatMessageEvent } from '../../src/events/chat-message-event.js';
import { relayCommand, shadow, startRelay, waitForStatus, type RelayInfo } from './panel.js';
import { waitFor } from './wait.js';

export { startRelay, type RelayInfo };

/** The two panels the framework rendered, Ada's with the bound properties. */
export function panelsIn(container: ParentNode): { ada: WsChatPanel; bob: WsChatPanel } {
  const ada = container.querySelector<WsChatPanel>('ws-chat-panel#ada');
  const bob = container.querySelector<WsChatPanel>('ws-chat-panel#bob');
  if (!ada || !bob) throw new Error('the framework did not render both panels');
  return { ada, bob };
}

/**
 * Ada's panel was given `userName: 'Ada'`, `maxMessages: 50` and
 * `strings: { title }` by the framework, inside a provider given `bus`.
 */
export async function expectBoundAndOnline(container: ParentNode, bus: MessageCenter, title: string): Promise<void> {
  const { ada, bob } = panelsIn(container);
  expect(ada.userName).to.equal('Ada');
  expect(ada.maxMessages, 'a number property, not the attribute string').to.equal(50);
  expect(ada.strings, 'an object can only arrive as a property').to.deep.equal({ title });
  expect(container.querySelector('message-center-provider')!.bus === bus, 'the provider got the app bus').to.equal(true);
  await waitForStatus(ada, 'online');
  await waitForStatus(bob, 'online');
  await ada.updateComplete;
  expect(shadow(ada).querySelector('.title')!.textContent!.trim()).to.equal(title);
  expect(bus.listenerCount('chat:send'), 'both panels listen on the app bus').to.equal(2);
}

/** Bob sends through the bus; Ada's framework handler must get the DOM event. */
export async function expectMessageEvent(bus: MessageCenter, received: readonly Event[], text: string): Promise<void> {
  const before = received.length;
  bus.emit('chat:send', { data: text, panel: 'bob' });
  await waitFor(() => received.length > before, `the framework handler to receive "${text}"`);
  const event = received[received.length - 1]!;
  expect(event).to.be.instanceOf(ChatMessageEvent);
  expect((event as ChatMessageEvent).detail.text).to.equal(text);
  expect((event as ChatMessageEvent).detail.from.name).to.equal('Bob');
}

/** After the framework unmounted the panels: no socket at the relay, no handler on the bus. */
export async function expectReleased(relay: RelayInfo, bus: MessageCenter, panels: { ada: WsChatPanel; bob: WsChatPanel }): Promise<void> {
  // Booleans, not elements, in assertions: a failing comparison of an element
  // that a framework decorated (Angular's __ngContext__) takes the test runner
  // minutes to serialize.
  expect(!panels.ada.isConnected && !panels.bob.isConnected, 'the panels left the document').to.equal(true);
  const deadline = Date.now() + 5000;
  let stats = await relayStats(relay);
  while (stats.connections !== 0) {
    if (Date.now() > deadline) throw new Error(`the relay still has ${stats.connections} socket(s) open after unmount`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    stats = await relayStats(relay);
  }
  expect(bus.listenerCount('chat:send'), 'the panels removed their bus handlers').to.equal(0);
}

const relayStats = (relay: RelayInfo) => relayCommand<{ connections: number; online: number }>('stats', relay.id);
