// Read receipts on the relay (PROTOCOL.md section 24): private messages tell
// their sender once, wherever it is connected; rooms keep read positions that
// `readers` counts; large rooms and foreign rooms are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelayServer } from '../../src/server/index.js';
import { clusterFixture, relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };

/** Sends a private message and returns its offset once acknowledged and received by `to`. */
async function privately(from: TestClient, to: TestClient, id: string): Promise<number> {
  from.send({ type: 'send', id, to: { ids: [to.self.id] }, data: id });
  const ack = await from.next((f) => f.type === 'ack' && f.id === id);
  await to.next((f) => f.type === 'message' && f.id === id);
  return ack.offset as number;
}

async function broadcast(from: TestClient, room: string, id: string): Promise<number> {
  from.send({ type: 'send', id, room, data: id });
  return (await from.next((f) => f.type === 'ack' && f.id === id)).offset as number;
}

/** Asks `readers` and returns the answer (or the error) with that id. */
async function readers(client: TestClient, room: string, offset: number, id: string) {
  client.send({ type: 'readers', id, room, offset });
  return client.next((f) => (f.type === 'readers' || f.type === 'error') && f.id === id);
}

/**
 * Each sender's receipts come in the order their readers' frames were
 * handled (written at once on one node; through one pub/sub channel in a
 * cluster): once the read of m1 arrives, a second read of m2 would have too.
 */
function privateReceipts(connect: () => Promise<[TestClient, TestClient]>) {
  return async () => {
    const [ada, bob] = await connect();
    const first = await privately(ada, bob, 'm1');
    const second = await privately(ada, bob, 'm2');
    bob.send({ type: 'received', offset: second });
    await ada.next((f) => f.type === 'delivered' && f.id === 'm2');
    bob.send({ type: 'read', offsets: [second, 999_999] });
    const read = await ada.next((f) => f.type === 'read');
    assert.deepEqual(read, { type: 'read', id: 'm2', offset: second, by: bob.self });
    // Read again, and then the first: the second is told once, the unknown offset never.
    bob.send({ type: 'read', offsets: [second] });
    bob.send({ type: 'read', offsets: [second, first] });
    await ada.next((f) => f.type === 'read' && f.id === 'm1');
    assert.deepEqual(
      ada.ofType('read').map((f) => f.id),
      ['m2', 'm1'],
    );
    assert.equal(bob.ofType('read').length, 0, 'the reader is told nothing');
    assert.equal(bob.ofType('error').length, 0, 'read is never answered');
  };
}

describe('read receipts on one relay', () => {
  const fixture = relayFixture();

  it(
    'tells the sender once per message read, skipping unknown offsets',
    privateReceipts(
      async () => {
        const relay = await fixture.relay();
        return [await fixture.client(relay, { name: 'ada' }), await fixture.client(relay, { name: 'bob' })];
      }),
  );

  it('does not report a room message read as a private one, nor a message to someone else', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    const toCy = await privately(ada, cy, 'to-cy');
    const inRoom = await broadcast(ada, 'lobby', 'room');
    await bob.next((f) => f.id === 'room');
    bob.send({ type: 'read', offsets: [toCy, inRoom] });
    const barrier = await privately(ada, bob, 'barrier');
    bob.send({ type: 'read', offsets: [barrier] });
    await ada.next((f) => f.type === 'read' && f.id === 'barrier');
    assert.deepEqual(ada.ofType('read').map((f) => f.id), ['barrier']);
  });

  it('keeps room read positions for readers: never back, the asker left out, the most recent reader first', async () => {
    const relay = await fixture.relay();
    const [ada, bob, cy, dee] = await Promise.all(['ada', 'bob', 'cy', 'dee'].map((name) => fixture.client(relay, { name, rooms: ['design'] })));
    const one = await broadcast(ada!, 'design', 'one');
    const two = await broadcast(ada!, 'design', 'two');
    cy!.send({ type: 'read', room: 'design', offsets: [one] });
    bob!.send({ type: 'read', room: 'design', offsets: [one, two] });
    // Back to the first: bob's position stays at two.
    bob!.send({ type: 'read', room: 'design', offsets: [one] });
    ada!.send({ type: 'read', room: 'design', offsets: [two] });
    // Frames of one connection are handled in order, and answers from others come after theirs: a barrier per reader.
    for (const reader of [cy!, bob!]) assert.equal((await readers(reader, 'design', one, `b-${reader.self.name}`)).type, 'readers');
    const answerOne = await readers(ada!, 'design', one, 'r1');
    assert.equal(answerOne.count, 2);
    assert.deepEqual((answerOne.peers as Peer[]).map((p) => p.name), ['bob', 'cy']);
    const answerTwo = await readers(ada!, 'design', two, 'r2');
    assert.deepEqual([answerTwo.count, (answerTwo.peers as Peer[]).map((p) => p.name)], [1, ['bob']]);
    const asDee = await readers(dee!, 'design', two, 'r3');
    assert.deepEqual([asDee.count, (asDee.peers as Peer[]).map((p) => p.name).sort()], [2, ['ada', 'bob']]);
    assert.deepEqual(Object.keys(answerOne).sort(), ['count', 'id', 'offset', 'peers', 'room', 'type']);
    assert.equal(answerOne.room, 'design');
    assert.equal(answerOne.offset, one);
  });

  it('does not let a reader claim messages not yet sent: offsets past the log\'s head are skipped', async () => {
    const relay = await fixture.relay();
    const [ada, liar, bob] = await Promise.all(['ada', 'liar', 'bob'].map((name) => fixture.client(relay, { name, rooms: ['design'] })));
    const one = await broadcast(ada!, 'design', 'one');
    // All past the head: nothing moves. One within it among them: that one counts, the others do not.
    liar!.send({ type: 'read', room: 'design', offsets: [one + 1_000_000, Number.MAX_SAFE_INTEGER] });
    bob!.send({ type: 'read', room: 'design', offsets: [one, one + 5_000] });
    for (const reader of [liar!, bob!]) await readers(reader, 'design', one, `b-${reader.self.name}`);
    assert.deepEqual((await readers(ada!, 'design', one, 'r0')).count, 1, 'bob only: the liar never read one');
    const later = await broadcast(ada!, 'design', 'later');
    const answer = await readers(ada!, 'design', later, 'r1');
    assert.deepEqual([answer.count, answer.peers], [0, []], 'nobody has read a message sent after their read');
  });

  it('refuses rooms the connection is not in and rooms too large to keep positions', async () => {
    const relay = await fixture.relay({ presenceThreshold: 2 });
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['small', 'big'] });
    await fixture.client(relay, { name: 'bob', rooms: ['big'] });
    await fixture.client(relay, { name: 'cy', rooms: ['big'] });
    const notIn = await readers(ada, 'elsewhere', 1, 'x1');
    assert.deepEqual([notIn.type, notIn.code, notIn.room], ['error', 'not_in_room', 'elsewhere']);
    const tooLarge = await readers(ada, 'big', 1, 'x2');
    assert.deepEqual([tooLarge.type, tooLarge.code, tooLarge.room], ['error', 'room_too_large', 'big']);
    ada.send({ type: 'read', room: 'big', offsets: [1] });
    const readRefused = await ada.next((f) => f.type === 'error' && f.code === 'room_too_large' && f.id === undefined);
    assert.equal(readRefused.room, 'big');
    ada.send({ type: 'read', room: 'nowhere', offsets: [1] });
    assert.equal((await ada.next((f) => f.type === 'error' && f.code === 'not_in_room' && f.room === 'nowhere')).id, undefined);
    assert.equal((await readers(ada, 'small', 1, 'x3')).count, 0);
  });

  it('refuses read and readers before hello, and bad frames', async () => {
    const relay = await fixture.relay();
    const early = fixture.raw(relay, { hello: false });
    await new Promise<void>((resolve) => early.socket.once('open', () => resolve()));
    early.send({ type: 'readers', id: 'e1', room: 'lobby', offset: 1 });
    assert.equal((await early.next((f) => f.type === 'error' && f.id === 'e1')).code, 'hello_required');
    const ada = await fixture.client(relay, { name: 'ada' });
    ada.send({ type: 'read', offsets: [] });
    assert.equal((await ada.next((f) => f.type === 'error')).code, 'bad_field');
    ada.send({ type: 'read', offsets: Array.from({ length: 101 }, (_, i) => i + 1) });
    await waitFor(() => ada.ofType('error').length === 2, 'a second refusal');
    assert.equal(ada.ofType('error')[1]!.code, 'bad_field');
  });

  it('counts an authenticated user once, whichever of its connections read', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const offset = await broadcast(ada, 'lobby', 'hi');
    bob.send({ type: 'read', room: 'lobby', offsets: [offset] });
    bob.send({ type: 'read', room: 'lobby', offsets: [offset] });
    await readers(bob, 'lobby', offset, 'barrier');
    assert.equal((await readers(ada, 'lobby', offset, 'r')).count, 1);
  });
});

describe('read receipts across a relay cluster on Redis', () => {
  const cluster = clusterFixture();

  it(
    'tells a sender on another node than its reader: delivered and read',
    privateReceipts(
      async () => {
        const prefix = cluster.prefix('private');
        const [a, b] = [await cluster.node(prefix), await cluster.node(prefix)] as [RelayServer, RelayServer];
        const ada = await cluster.client(a, { name: 'ada' });
        const bob = await cluster.client(b, { name: 'bob' });
        await waitFor(() => a.online === 2 && b.online === 2, 'both online on both nodes');
        return [ada, bob];
      }),
  );

  it('shares room read positions between nodes, in Redis under the prefix', async () => {
    const prefix = cluster.prefix('rooms');
    const [a, b] = [await cluster.node(prefix), await cluster.node(prefix)] as [RelayServer, RelayServer];
    const ada = await cluster.client(a, { name: 'ada', rooms: ['design'] });
    const bob = await cluster.client(b, { name: 'bob', rooms: ['design'] });
    const cy = await cluster.client(b, { name: 'cy', rooms: ['design'] });
    await waitFor(() => a.online === 3 && b.online === 3, 'everyone on both nodes');
    const offset = await broadcast(ada, 'design', 'hi');
    // One after the other: Redis keeps no order of its own between two moves in one ms.
    bob.send({ type: 'read', room: 'design', offsets: [offset] });
    await readers(bob, 'design', offset, 'b1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    cy.send({ type: 'read', room: 'design', offsets: [offset] });
    await readers(cy, 'design', offset, 'b2');
    const answer = await readers(ada, 'design', offset, 'r1');
    assert.deepEqual([answer.count, (answer.peers as Peer[]).map((p) => p.name)], [2, ['cy', 'bob']]);
  });
});
