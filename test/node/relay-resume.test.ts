import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relayFixture } from '../support/relay-fixture.js';
import { TestClient } from '../support/test-client.js';

type Welcome = { session: string; epoch: string; offset: number; self: { id: string } };

/** Reconnects a client the way ChatClient does: hello with its session, epoch and last processed offset. */
async function resume(url: string, welcome: Welcome, offset: number, name = 'x'): Promise<TestClient> {
  const client = new TestClient(url);
  await new Promise((resolve) => client.socket.once('open', resolve));
  client.send({ type: 'hello', name, resume: { session: welcome.session, epoch: welcome.epoch, offset } });
  await client.next((f) => f.type === 'welcome');
  return client;
}

describe('relay: sessions, resume and replay', () => {
  const fixture = relayFixture();

  it('gives a returning client its identity back and replays, in order, what was sent to it while away', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    ada.send({ type: 'send', id: 'before', data: 'seen live' });
    const seen = await bob.next((f) => f.id === 'before');
    const bobWelcome = bob.welcome as unknown as Welcome;

    bob.close();
    await ada.next((f) => f.type === 'leave');
    ada.send({ type: 'send', id: 'b1', data: 'broadcast while bob is away' });
    ada.send({ type: 'send', id: 'u1', to: { ids: [bobWelcome.self.id] }, data: 'private, while away' });
    ada.send({ type: 'send', id: 'u2', to: { names: ['bob'] }, data: 'by name, while away' });
    ada.send({ type: 'send', id: 'c1', to: { ids: [cy.self.id] }, data: 'not for bob' });
    const acks = await Promise.all(['b1', 'u1', 'u2', 'c1'].map((id) => ada.next((f) => f.type === 'ack' && f.id === id)));
    assert.equal(acks[1]!.recipients, 0, 'bob is not online: queued for him, delivered to no one yet');

    const adaSeen = ada.frames.length;
    const back = await resume(relay.url, bobWelcome, seen.offset as number, 'bob');
    const welcome = back.welcome;
    assert.equal(welcome.resumed, true);
    assert.equal(welcome.gap, undefined);
    assert.deepEqual(welcome.self, bobWelcome.self, 'same id, name and address');
    await back.next((f) => f.id === 'u2');
    const replayed = back.ofType('message');
    assert.deepEqual(replayed.map((f) => f.id), ['b1', 'u1', 'u2']);
    assert.ok(replayed.every((f) => f.replay === true));
    assert.ok(replayed.every((f, i, all) => i === 0 || (f.offset as number) > (all[i - 1]!.offset as number)));

    // Then it is live again, with no gap and nothing twice.
    ada.send({ type: 'send', id: 'after', data: 'live again' });
    const live = await back.next((f) => f.id === 'after');
    assert.equal(live.replay, undefined);
    assert.equal(back.ofType('message').length, 4);
    const rejoined = await ada.next((f) => f.type === 'join', undefined, adaSeen);
    assert.deepEqual(rejoined, { type: 'join', peer: bobWelcome.self, count: 3, room: 'lobby' }, 'the others see bob come back');
  });

  it('replays nothing a session was not owed: not its own messages, not what came before it existed', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    ada.send({ type: 'send', id: 'old', data: 'before bob existed' });
    await ada.next((f) => f.type === 'ack');
    const bob = await fixture.client(relay, { name: 'bob' });
    bob.send({ type: 'send', id: 'mine', data: 'from bob' });
    await bob.next((f) => f.type === 'ack');
    bob.close();
    const back = await resume(relay.url, bob.welcome as unknown as Welcome, 0, 'bob');
    ada.send({ type: 'send', id: 'barrier', data: 'live' });
    await back.next((f) => f.id === 'barrier');
    assert.deepEqual(back.ofType('message').map((f) => f.id), ['barrier']);
  });

  it('takes a session over from a connection still open, closing the old one with 4409 and no leave notice', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const back = await resume(relay.url, bob.welcome as unknown as Welcome, 0, 'bob');
    assert.deepEqual(await bob.closed(), { code: 4409, reason: 'session_taken_over' });
    assert.equal(back.welcome.resumed, true);
    ada.send({ type: 'send', id: 'ping', data: 1 });
    await back.next((f) => f.id === 'ping');
    assert.equal(ada.ofType('leave').length, 0);
    assert.equal(relay.online, 2);
  });

  it('does not route a resent message twice: the same id gets the same offset and a duplicate ack', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    ada.send({ type: 'send', id: 'once', data: 'hello' });
    const first = await ada.next((f) => f.type === 'ack');
    ada.send({ type: 'send', id: 'once', data: 'hello' });
    const second = await ada.next((f) => f.type === 'ack' && f.duplicate === true);
    assert.equal(second.offset, first.offset);
    ada.send({ type: 'send', id: 'barrier', data: '' });
    await bob.next((f) => f.id === 'barrier');
    assert.equal(bob.ofType('message').filter((f) => f.id === 'once').length, 1);

    // Also across a reconnect: the outbox resends after a lost ack.
    ada.close();
    const back = await resume(relay.url, ada.welcome as unknown as Welcome, 0, 'ada');
    back.send({ type: 'send', id: 'once', data: 'hello' });
    assert.equal((await back.next((f) => f.type === 'ack')).duplicate, true);
  });

  it('says messages may be missing when it cannot replay: unknown session, other epoch, window exceeded', async () => {
    const relay = await fixture.relay({ logMaxEntries: 3 });
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const welcome = bob.welcome as unknown as Welcome;

    const stranger = await resume(relay.url, { ...welcome, session: 'not-a-session' }, 0);
    assert.equal(stranger.welcome.resumed, false);
    assert.equal(stranger.welcome.gap, true);
    assert.notEqual((stranger.welcome.self as { id: string }).id, welcome.self.id);

    const otherEpoch = await resume(relay.url, { ...welcome, epoch: 'gone' }, 0);
    assert.equal(otherEpoch.welcome.resumed, false);
    assert.equal(otherEpoch.welcome.gap, true);

    bob.close();
    await ada.next((f) => f.type === 'leave' && (f.peer as { name: string }).name === 'bob');
    for (let i = 0; i < 6; i++) ada.send({ type: 'send', id: `w${i}`, data: i });
    await ada.next((f) => f.type === 'ack' && f.id === 'w5');
    const back = await resume(relay.url, welcome, 0, 'bob');
    assert.equal(back.welcome.resumed, true);
    assert.equal(back.welcome.gap, true);
    await back.next((f) => f.id === 'w5');
    assert.deepEqual(back.ofType('message').map((f) => f.id), ['w3', 'w4', 'w5']);
  });

  it('tells a sender when its private message reached the recipient client', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    ada.send({ type: 'send', id: 'p1', to: { ids: [bob.self.id] }, data: 'ping' });
    const message = await bob.next((f) => f.id === 'p1');
    assert.equal(ada.ofType('delivered').length, 0);
    bob.send({ type: 'received', offset: message.offset });
    const delivered = await ada.next((f) => f.type === 'delivered');
    assert.deepEqual(delivered, { type: 'delivered', id: 'p1', offset: message.offset, by: bob.self });
  });

  it('forgets a session after its TTL: then it is an unknown target and cannot resume', async () => {
    const relay = await fixture.relay({ sessionTtl: 100, heartbeatInterval: 50 });
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const bobId = bob.self.id;
    bob.close();
    // The relay has seen him go (his session is away from here on); then the TTL and a few sweeps pass.
    await ada.next((f) => f.type === 'leave');
    await new Promise((resolve) => setTimeout(resolve, 300));
    ada.send({ type: 'send', id: 'late', to: { ids: [bobId] }, data: 'too late' });
    const error = await ada.next((f) => f.type === 'error');
    assert.equal(error.code, 'unknown_target');
    const back = await resume(relay.url, bob.welcome as unknown as Welcome, 0, 'bob');
    assert.equal(back.welcome.resumed, false);
  });

  it('keeps the client that resumed closed for a second hello on the new connection', async () => {
    const relay = await fixture.relay();
    const bob = await fixture.client(relay, { name: 'bob' });
    const again = await TestClient.connect(relay.url, { name: 'other' });
    again.send({ type: 'hello', resume: { session: (bob.welcome as unknown as Welcome).session, epoch: relay.epoch, offset: 0 } });
    assert.equal((await again.next((f) => f.type === 'error')).code, 'already_hello');
    again.close();
  });
});
