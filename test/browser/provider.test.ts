import { expect, fixture, html } from '@open-wc/testing';
import '../../src/elements/message-center-provider/define.js';
import '../support/bus-consumer.js';
import { createMessageCenter, getDefaultMessageCenter, type MessageCenterProvider } from '../../src/index.js';
import type { TestBusConsumer } from '../support/bus-consumer.js';

describe('<message-center-provider>', () => {
  it('hands its bus to descendants, through shadow roots and slots', async () => {
    const provider = await fixture<MessageCenterProvider>(html`
      <message-center-provider>
        <section><test-bus-consumer></test-bus-consumer></section>
      </message-center-provider>
    `);
    const consumer = provider.querySelector('test-bus-consumer')!;
    expect(consumer.bus).to.equal(provider.bus);
    expect(consumer.bus).not.to.equal(getDefaultMessageCenter());
    provider.bus.emit('test:note', 'hello');
    expect(consumer.notes).to.deep.equal(['hello']);
  });

  it('creates its bus in the constructor, before it is connected', () => {
    const provider = document.createElement('message-center-provider');
    expect(provider.bus.emit).to.be.a('function');
  });

  it('scopes: a nested provider serves its own subtree', async () => {
    const outer = await fixture<MessageCenterProvider>(html`
      <message-center-provider>
        <test-bus-consumer id="outside"></test-bus-consumer>
        <message-center-provider id="inner">
          <test-bus-consumer id="inside"></test-bus-consumer>
        </message-center-provider>
      </message-center-provider>
    `);
    const inner = outer.querySelector<MessageCenterProvider>('#inner')!;
    const outside = outer.querySelector<TestBusConsumer>('#outside')!;
    const inside = outer.querySelector<TestBusConsumer>('#inside')!;
    expect(outside.bus).to.equal(outer.bus);
    expect(inside.bus).to.equal(inner.bus);
    outer.bus.emit('test:note', 'outer only');
    expect(outside.notes).to.deep.equal(['outer only']);
    expect(inside.notes).to.deep.equal([]);
  });

  it('takes an application bus, and moves subscribed consumers when it is replaced', async () => {
    const appBus = createMessageCenter();
    const provider = await fixture<MessageCenterProvider>(html`
      <message-center-provider .bus=${appBus}><test-bus-consumer></test-bus-consumer></message-center-provider>
    `);
    const consumer = provider.querySelector('test-bus-consumer')!;
    expect(consumer.bus).to.equal(appBus);

    const replacement = createMessageCenter();
    provider.bus = replacement;
    expect(consumer.bus).to.equal(replacement);
    appBus.emit('test:note', 'old bus');
    replacement.emit('test:note', 'new bus');
    expect(consumer.notes).to.deep.equal(['new bus']);
    expect(appBus.listenerCount('test:note')).to.equal(0);
    expect(replacement.listenerCount('test:note')).to.equal(1);
  });

  it('refuses something that is not a bus with a TypeError', async () => {
    const provider = document.createElement('message-center-provider');
    expect(() => {
      provider.bus = {} as never;
    }).to.throw(TypeError, /must be a message center/);
  });

  it('a detached consumer releases its subscriptions, leaves everyone else subscribed, and resubscribes on re-attach', async () => {
    const provider = await fixture<MessageCenterProvider>(html`
      <message-center-provider>
        <test-bus-consumer id="a"></test-bus-consumer>
        <test-bus-consumer id="b"></test-bus-consumer>
      </message-center-provider>
    `);
    const a = provider.querySelector<TestBusConsumer>('#a')!;
    const b = provider.querySelector<TestBusConsumer>('#b')!;
    const appNotes: string[] = [];
    provider.bus.on('test:note', (note) => appNotes.push(note));
    expect(provider.bus.listenerCount('test:note')).to.equal(3);

    a.remove();
    expect(provider.bus.listenerCount('test:note')).to.equal(2);
    provider.bus.emit('test:note', 'while a is away');
    expect(a.notes).to.deep.equal([]);
    expect(b.notes).to.deep.equal(['while a is away']);
    expect(appNotes).to.deep.equal(['while a is away']);

    provider.append(a);
    expect(provider.bus.listenerCount('test:note')).to.equal(3);
    provider.bus.emit('test:note', 'back');
    expect(a.notes).to.deep.equal(['back']);
  });

  it('a consumer moved to another provider follows it', async () => {
    const root = await fixture<HTMLElement>(html`
      <div>
        <message-center-provider id="one"><test-bus-consumer></test-bus-consumer></message-center-provider>
        <message-center-provider id="two"></message-center-provider>
      </div>
    `);
    const one = root.querySelector<MessageCenterProvider>('#one')!;
    const two = root.querySelector<MessageCenterProvider>('#two')!;
    const consumer = root.querySelector('test-bus-consumer')!;
    two.append(consumer);
    expect(consumer.bus).to.equal(two.bus);
    expect(one.bus.listenerCount('test:note')).to.equal(0);
    expect(two.bus.listenerCount('test:note')).to.equal(1);
  });

  it('without a provider, consumers use the page-wide default bus, and leave when detached', async () => {
    const consumer = await fixture<TestBusConsumer>(html`<test-bus-consumer></test-bus-consumer>`);
    const bus = getDefaultMessageCenter();
    expect(consumer.bus).to.equal(bus);
    const before = bus.listenerCount('test:note');
    bus.emit('test:note', 'global');
    expect(consumer.notes).to.deep.equal(['global']);
    consumer.remove();
    expect(bus.listenerCount('test:note')).to.equal(before - 1);
  });
});
