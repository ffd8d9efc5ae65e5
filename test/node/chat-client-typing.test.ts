// ChatClient's typing over a real relay: what it sends (once per repeatMs
// per conversation, a stop only after a typing) and what it shows (typists
// per conversation, gone on stop, message and leave).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TypingDetail } from '../../src/client/typists.js';
import { chatClients } from '../support/chat-clients.js';
import { relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };

let pings = 0;
/** Everything the relay wrote to `client` before a pong it answers now has arrived. */
async function flush(client: TestClient): Promise<void> {
  const t = ++pings;
  client.send({ type: 'ping', t });
  await client.next((f) => f.type === 'pong' && f.t === t);
}

describe('ChatClient typing', () => {
  const client = chatClients();
  const fixture = relayFixture();

  it('says typing once per conversation while typing goes on, and stop once, only after a typing', async () => {
    const relay = await fixture.relay();
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['red'] });
    const ada = client(relay.url, { name: 'ada', rooms: ['red', 'blue'] });
    await waitFor(() => ada.status === 'online', 'online');
    ada.typing({}, false);
    for (let i = 0; i < 20; i++) ada.typing();
    for (let i = 0; i < 20; i++) ada.typing({ to: [bob.self.id] });
    ada.typing({ room: 'nowhere' });
    ada.typing({}, false);
    ada.typing({}, false);
    ada.send('barrier', undefined, 'red');
    await bob.next((f) => f.type === 'message' && f.data === 'barrier');
    const told = bob.ofType('typing').map((f) => `${f.room ?? 'private'}${f.stop ? ' stop' : ''}`);
    assert.deepEqual(told, ['red', 'private', 'red stop'], 'the default room is the first; repeats within repeatMs are not sent; one stop');
    assert.deepEqual(
      bob.ofType('typing').map((f) => (f.from as Peer).name),
      ['ada', 'ada', 'ada'],
    );
  });

  it('shows who types where, and forgets them on stop, on a message from them there, and when they leave', async () => {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada', rooms: ['red', 'blue'] });
    await waitFor(() => ada.status === 'online', 'online');
    const events: TypingDetail[] = [];
    ada.on('typing', (detail) => events.push(detail));
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['red', 'blue'] });
    const cy = await fixture.client(relay, { name: 'cy', rooms: ['red'] });
    const names = (key: string) => (ada.typists.get(key) ?? []).map((peer) => peer.name);

    bob.send({ type: 'typing', room: 'red' });
    cy.send({ type: 'typing', room: 'red' });
    bob.send({ type: 'typing', to: { ids: [ada.self!.id] } });
    await waitFor(() => names('red').length === 2 && names(`@${bob.self.id}`).length === 1, () => `typists ${JSON.stringify([...ada.typists])}`);
    assert.deepEqual(names('red'), ['bob', 'cy'], 'in the order they started');
    const privately = events.find((event) => event.conversation.peer !== undefined)!;
    assert.deepEqual([privately.conversation.room, privately.conversation.peer?.name, privately.peers.map((p) => p.name)], [undefined, 'bob', ['bob']]);

    // A message from bob in red ends his typing there, not in private.
    bob.send({ type: 'send', id: 'm1', room: 'red', data: 'done' });
    await waitFor(() => names('red').join() === 'cy', 'bob sent in red');
    assert.deepEqual(names(`@${bob.self.id}`), ['bob']);
    // A private message ends the private typing.
    bob.send({ type: 'send', id: 'm2', to: { ids: [ada.self!.id] }, data: 'psst' });
    await waitFor(() => !ada.typists.has(`@${bob.self.id}`), 'bob sent privately');

    cy.send({ type: 'typing', room: 'red', stop: true });
    await waitFor(() => !ada.typists.has('red'), 'cy stopped');

    // As a client does once its draft is sent (the relay lets the next typing through at once).
    bob.send({ type: 'typing', room: 'red', stop: true });
    bob.send({ type: 'typing', to: { ids: [ada.self!.id] }, stop: true });
    // Leaving a room ends typing there; leaving the relay ends it everywhere.
    bob.send({ type: 'typing', room: 'red' });
    bob.send({ type: 'typing', room: 'blue' });
    bob.send({ type: 'typing', to: { ids: [ada.self!.id] } });
    await waitFor(() => ada.typists.size === 3, 'bob types in three conversations');
    bob.send({ type: 'leave', room: 'red', id: 'l' });
    await waitFor(() => !ada.typists.has('red'), 'bob left red');
    assert.deepEqual([...ada.typists.keys()].sort(), [`@${bob.self.id}`, 'blue']);
    bob.close();
    await waitFor(() => ada.typists.size === 0, 'bob is gone', 5000);
    assert.deepEqual(events.at(-1)!.peers, []);
  });

  it('forgets a typist whose stop never came, after expireMs', async () => {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada' });
    await waitFor(() => ada.status === 'online', 'online');
    const bob = await fixture.client(relay, { name: 'bob' });
    bob.send({ type: 'typing' });
    await waitFor(() => ada.typists.has('lobby'), 'bob types');
    await flush(bob);
    // Bob stays online and says nothing more: only the expiry can end it.
    await waitFor(() => !ada.typists.has('lobby'), 'expired', 12_000);
    assert.equal(bob.closeCode, undefined);
  });
});
