// ChatClient and read receipts over a real relay: your private messages go
// on to `read` and never back; markRead gathers offsets into frames of at
// most 100, never twice, never your own; readers() asks a room.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket, type RawData } from 'ws';
import type { ChatClient } from '../../src/client/chat-client.js';
import type { ChatMessage, DeliveryState } from '../../src/client/types.js';
import { chatClients } from '../support/chat-clients.js';
import { relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

type Sent = { type: string; offsets?: number[]; room?: string };

/** A real socket that also keeps the frames its client wrote, so a test can see what went out. */
function recordingSocket(sent: Sent[]) {
  return class extends WebSocket {
    override send(data: RawData | string, ...rest: unknown[]): void {
      sent.push(JSON.parse(String(data)) as Sent);
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  };
}

function states(client: ChatClient): Map<string, DeliveryState[]> {
  const seen = new Map<string, DeliveryState[]>();
  client.on('update', (message) => {
    if (message.state) seen.set(message.id, [...(seen.get(message.id) ?? []), message.state]);
  });
  return seen;
}

function inbox(client: ChatClient): ChatMessage[] {
  const got: ChatMessage[] = [];
  client.on('message', (message) => got.push(message));
  return got;
}

describe('ChatClient read receipts', () => {
  const client = chatClients({ history: 0 });
  const fixture = relayFixture();

  it('a private message goes sent, delivered, read once its reader marks it read', async () => {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada' });
    const bob = client(relay.url, { name: 'bob' });
    const adaStates = states(ada);
    const bobInbox = inbox(bob);
    await waitFor(() => ada.status === 'online' && bob.status === 'online', 'both online');
    const sent = ada.send('hello', { ids: [bob.self!.id] })!;
    await waitFor(() => adaStates.get(sent.id)?.includes('delivered') === true, 'delivered');
    assert.ok(!adaStates.get(sent.id)!.includes('read'), 'not read before it was shown');
    bob.markRead(bobInbox);
    await waitFor(() => adaStates.get(sent.id)?.at(-1) === 'read', () => `read (states ${JSON.stringify(adaStates.get(sent.id))})`);
    assert.deepEqual(adaStates.get(sent.id), ['pending', 'sent', 'delivered', 'read']);
  });

  it('a delivered that comes after read does not take the message back', async () => {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada' });
    const adaStates = states(ada);
    await waitFor(() => ada.status === 'online', 'online');
    const bob = await fixture.client(relay, { name: 'bob' });
    const first = ada.send('one', { ids: [bob.self.id] })!;
    const second = ada.send('two', { ids: [bob.self.id] })!;
    const one = await bob.next((f) => f.type === 'message' && f.id === first.id);
    const two = await bob.next((f) => f.type === 'message' && f.id === second.id);
    // Read, then received: the relay tells ada in that order.
    bob.send({ type: 'read', offsets: [one.offset] });
    bob.send({ type: 'received', offset: one.offset });
    bob.send({ type: 'read', offsets: [two.offset] });
    await waitFor(() => adaStates.get(second.id)?.at(-1) === 'read', 'the second read: the delivered of the first came before it');
    assert.deepEqual(adaStates.get(first.id), ['pending', 'sent', 'read']);
  });

  it('markRead gathers offsets into frames of at most 100, never twice, never for your own messages', async () => {
    const relay = await fixture.relay({ burst: 500, maxMessagesPerSecond: 500 });
    const sent: Sent[] = [];
    const bob = client(relay.url, { name: 'bob', WebSocket: recordingSocket(sent) as never });
    const got = inbox(bob);
    const bobStates = states(bob);
    await waitFor(() => bob.status === 'online', 'online');
    const ada = await fixture.client(relay, { name: 'ada' });
    for (let i = 0; i < 150; i++) ada.send({ type: 'send', id: `m${i}`, to: { ids: [bob.self!.id] }, data: i });
    const own = bob.send('mine', { ids: [ada.self.id] })!;
    await waitFor(() => got.length === 150 && bobStates.get(own.id)?.includes('sent') === true, 'all 150 in, and bob\'s own acknowledged');
    const ownOffset = (await ada.next((f) => f.id === own.id)).offset as number;
    bob.markRead(got.slice(0, 120));
    bob.markRead([...got, { ...got[0]!, own: true, offset: ownOffset }]);
    bob.markRead([ownOffset]);
    await waitFor(() => ada.ofType('read').length === 150, () => `150 read receipts (got ${ada.ofType('read').length})`);
    const reads = sent.filter((f) => f.type === 'read');
    assert.ok(reads.every((f) => f.offsets!.length <= 100 && f.room === undefined), 'at most 100 a frame, all private');
    const offsets = reads.flatMap((f) => f.offsets!);
    assert.equal(new Set(offsets).size, offsets.length, 'no offset twice');
    assert.deepEqual([...offsets].sort((a, b) => a - b), got.map((m) => m.offset).sort((a, b) => a! - b!));
    assert.ok(!offsets.includes(ownOffset), 'never your own');
    assert.equal(reads.length, 2, 'one screenful, gathered: two frames');
    // Marked again: nothing goes (a later message is the barrier).
    bob.markRead(got);
    ada.send({ type: 'send', id: 'last', to: { ids: [bob.self!.id] }, data: 'last' });
    await waitFor(() => got.length === 151, 'the last one in');
    bob.markRead([got[150]!]);
    await ada.next((f) => f.type === 'read' && f.id === 'last');
    assert.deepEqual(sent.filter((f) => f.type === 'read').slice(2).map((f) => f.offsets), [[got[150]!.offset]]);
  });

  it('readers() counts who of a room has read up to a message, and refuses a room you are not in', async () => {
    const relay = await fixture.relay();
    const [ada, bob, cy] = ['ada', 'bob', 'cy'].map((name) => client(relay.url, { name, rooms: ['design'] })) as [ChatClient, ChatClient, ChatClient];
    const inboxes = [inbox(bob), inbox(cy)];
    await waitFor(() => [ada, bob, cy].every((c) => c.status === 'online'), 'all online');
    const adaStates = states(ada);
    const message = ada.send('look', undefined, 'design')!;
    await waitFor(() => inboxes.every((box) => box.length === 1) && adaStates.get(message.id)?.includes('sent') === true, 'everyone has it');
    const offset = inboxes[0]![0]!.offset!;
    for (const [i, reader] of [bob, cy].entries()) reader.markRead(inboxes[i]!);
    const deadline = Date.now() + 10_000;
    let answer = await ada.readers('design', offset);
    while (answer.count < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await ada.readers('design', offset);
    }
    assert.equal(answer.count, 2);
    assert.deepEqual(answer.peers.map((p) => p.name).sort(), ['bob', 'cy']);
    await assert.rejects(ada.readers('elsewhere', offset), { code: 'not_in_room' });
  });

  it('keeps quiet about a read the relay refuses (a room left, or grown large meanwhile)', async () => {
    const relay = await fixture.relay();
    const sent: Sent[] = [];
    const ada = client(relay.url, { name: 'ada', rooms: ['design'], WebSocket: recordingSocket(sent) as never });
    const errors: string[] = [];
    ada.on('error', ({ code }) => errors.push(code));
    await waitFor(() => ada.status === 'online', 'online');
    ada.markRead([1], 'elsewhere');
    await waitFor(() => sent.some((f) => f.type === 'read'), 'the read went');
    // Answered after the refusal of the read, which the relay handled first.
    assert.equal((await ada.readers('design', 1)).count, 0);
    assert.deepEqual(errors, []);
  });
});
