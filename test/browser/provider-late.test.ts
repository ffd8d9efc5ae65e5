import { expect, fixture, html } from '@open-wc/testing';
import '../support/bus-consumer.js';
import { getDefaultMessageCenter } from '../../src/index.js';
import type { TestBusConsumer } from '../support/bus-consumer.js';

// This file defines the consumer first and the provider only later, as a page
// does when scripts load out of order or elements are registered lazily.
describe('a consumer that upgrades before its provider', () => {
  it('starts on the default bus and moves to the provider once it is defined', async () => {
    expect(customElements.get('message-center-provider')).to.equal(undefined);
    const root = await fixture<HTMLElement>(html`
      <div><message-center-provider><test-bus-consumer></test-bus-consumer></message-center-provider></div>
    `);
    const consumer = root.querySelector<TestBusConsumer>('test-bus-consumer')!;
    expect(consumer.bus).to.equal(getDefaultMessageCenter());

    await import('../../src/elements/message-center-provider/define.js');
    const provider = root.querySelector('message-center-provider')!;
    expect(consumer.bus).to.equal(provider.bus);
    expect(getDefaultMessageCenter().listenerCount('test:note')).to.equal(0);
    provider.bus.emit('test:note', 'found you');
    expect(consumer.notes).to.deep.equal(['found you']);
  });
});
