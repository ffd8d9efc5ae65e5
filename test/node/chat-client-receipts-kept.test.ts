// Your own private messages keep Delivered / Read across a reload (issue 17
// follow-up): the relay logs no receipts, so the client remembers, in its
// store beside the resume state, what its latest messages reached, and a
// client on the same store shows it on the history it loads. Bounded, never
// back from read to delivered, forgotten with a new epoch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore, type ClientStore } from '../../src/client/persistence.js';
import { DeliveryMemory, REMEMBERED_RECEIPTS } from '../../src/client/delivery-memory.js';
import type { ChatMessage, HistoryDetail } from '../../src/client/types.js';
import { chatClients } from '../support/chat-clients.js';
import { relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

const firstPage = (created: ChatClient) =>
  new Promise<HistoryDetail>((resolve) => {
    const stop = created.on('history', (detail) => {
      stop();
      resolve(detail);
    });
  });

function inbox(client: ChatClient): ChatMessage[] {
  const got: ChatMessage[] = [];
  client.on('message', (message) => got.push(message));
  return got;
}

describe('ChatClient: receipts kept across a reload', () => {
  const client = chatClients({ history: 50 });
  const fixture = relayFixture();

  /** Ada sends `read` and `delivered` privately to Bob; Bob reads only the first; Ada sees both states, then closes. */
  async function conversation(store: ClientStore) {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada', store });
    const bob = client(relay.url, { name: 'bob' });
    const bobInbox = inbox(bob);
    const states = new Map<string, string>();
    ada.on('update', (message) => message.state && states.set(message.text, message.state));
    await waitFor(() => ada.status === 'online' && bob.status === 'online', 'both online');
    ada.send('read', { ids: [bob.self!.id] });
    ada.send('delivered', { ids: [bob.self!.id] });
    await waitFor(() => bobInbox.length === 2 && states.get('delivered') === 'delivered', 'both delivered');
    bob.markRead(bobInbox.filter((message) => message.text === 'read'));
    await waitFor(() => states.get('read') === 'read', 'the first read');
    ada.close();
    return { relay, ada, bob, bobInbox };
  }

  it('a new client on the same store shows its own private messages read and delivered in its history', async () => {
    const store = memoryStore();
    const { relay, ada } = await conversation(store);
    const again = client(relay.url, { name: 'ada', store });
    const page = await firstPage(again);
    assert.equal(again.self?.id, ada.self?.id, 'resumed');
    const state = (text: string) => page.messages.find((message) => message.text === text)?.state;
    assert.equal(state('read'), 'read');
    assert.equal(state('delivered'), 'delivered');
  });

  it('a message read after the reload turns read on the new client, and is kept so', async () => {
    const store = memoryStore();
    const { relay, bob, bobInbox } = await conversation(store);
    const again = client(relay.url, { name: 'ada', store });
    const read: string[] = [];
    again.on('update', (message) => message.state === 'read' && read.push(message.text));
    await firstPage(again);
    bob.markRead(bobInbox);
    await waitFor(() => read.includes('delivered'), 'read after the reload');
    assert.deepEqual(read, ['delivered'], 'the one read before is not read again');
    again.close();
    const page = await firstPage(client(relay.url, { name: 'ada', store }));
    assert.deepEqual(page.messages.map((message) => message.state), ['read', 'read']);
  });

  it('a store without the new methods still works: history shows them sent', async () => {
    const memory = memoryStore();
    const store: ClientStore = {
      loadOutbox: memory.loadOutbox,
      saveOutbox: memory.saveOutbox,
      loadResume: memory.loadResume,
      saveResume: memory.saveResume,
    };
    const { relay } = await conversation(store);
    const page = await firstPage(client(relay.url, { name: 'ada', store }));
    assert.deepEqual(page.messages.map((message) => message.state), ['sent', 'sent']);
  });

  it('a new epoch forgets them', async () => {
    const store = memoryStore();
    const { relay } = await conversation(store);
    const kept = store.loadReceipts!()!;
    store.saveReceipts!({ ...kept, epoch: 'another' });
    const page = await firstPage(client(relay.url, { name: 'ada', store }));
    assert.deepEqual(page.messages.map((message) => message.state), ['sent', 'sent']);
    assert.equal(store.loadReceipts!(), undefined, 'what the old epoch kept is gone');
  });
});

describe('DeliveryMemory (model)', () => {
  type Step = { offset: number; state: 'delivered' | 'read' };
  const steps = fc.array(fc.record({ offset: fc.integer({ min: 1, max: 2_000 }), state: fc.constantFrom<'delivered' | 'read'>('delivered', 'read') }), {
    maxLength: 1_500,
    size: 'max',
  });

  it('keeps the latest offsets by offset, at most the bound, read never back to delivered, and the same after a store round trip', () => {
    fc.assert(
      fc.property(steps, (taken: Step[]) => {
        const store = memoryStore();
        const memory = new DeliveryMemory(store);
        memory.epoch('e');
        const model = new Map<number, 'delivered' | 'read'>();
        for (const { offset, state } of taken) {
          memory.set(offset, state);
          if (model.get(offset) !== 'read') model.set(offset, state);
        }
        const latest = [...model.keys()].sort((a, b) => b - a).slice(0, REMEMBERED_RECEIPTS);
        const reloaded = new DeliveryMemory(store);
        reloaded.epoch('e');
        for (const kept of [memory, reloaded]) {
          for (const offset of model.keys()) assert.equal(kept.get(offset), latest.includes(offset) ? model.get(offset) : undefined);
        }
      }),
      { numRuns: 50 },
    );
  });
});
