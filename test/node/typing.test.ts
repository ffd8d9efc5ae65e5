// Typing indicators on one relay, over real sockets (PROTOCOL.md §23): who
// is told, who is not, the throttle, and the refusals. A frame that must not
// arrive is checked behind a barrier: a message the same sender routes after
// it, which the relay writes after anything the typing frame caused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';

type Peer = { id: string; name: string; addr: string };

let barriers = 0;
/** `sender` broadcasts to `room` (or privately to `to`); resolves once each of `receivers` has that message. */
async function barrier(sender: TestClient, receivers: TestClient[], target: { room?: string; to?: string[] }): Promise<void> {
  const id = `barrier-${++barriers}`;
  sender.send({ type: 'send', id, ...(target.room !== undefined ? { room: target.room } : {}), ...(target.to ? { to: { ids: target.to } } : {}), data: id });
  await sender.next((f) => f.type === 'ack' && f.id === id);
  for (const receiver of receivers) await receiver.next((f) => f.id === id);
}

const typingFrom = (client: TestClient, name: string) => client.ofType('typing').filter((f) => (f.from as Peer).name === name);

describe('typing on one relay', () => {
  const fixture = relayFixture();

  it('tells the room\'s other members, and no one else; the typist is as others see it', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['red', 'blue'] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['red'] });
    const cy = await fixture.client(relay, { name: 'cy', rooms: ['blue'] });
    const lou = await fixture.client(relay, { name: 'lou' });

    ada.send({ type: 'typing', room: 'red' });
    const told = await bob.next((f) => f.type === 'typing');
    assert.deepEqual(told, { type: 'typing', from: ada.self, room: 'red' });
    await barrier(ada, [bob], { room: 'red' });
    await barrier(ada, [cy], { room: 'blue' });
    await barrier(ada, [lou], { to: [lou.self.id] });
    assert.deepEqual(cy.ofType('typing'), [], 'cy is in blue only');
    assert.deepEqual(lou.ofType('typing'), [], 'lou is in no room of ada\'s');
    assert.deepEqual(ada.ofType('typing'), [], 'the typist is not told of itself');
    assert.deepEqual(ada.ofType('error'), []);

    // Without room: the first one, red.
    ada.send({ type: 'typing', stop: true });
    const stopped = await bob.next((f) => f.type === 'typing' && f.stop === true);
    assert.equal(stopped.room, 'red');
    ada.send({ type: 'typing', room: 'blue' });
    assert.equal((await cy.next((f) => f.type === 'typing')).room, 'blue');
  });

  it('hides the typist\'s address where addresses are hidden', async () => {
    const relay = await fixture.relay({ exposeAddresses: false });
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    ada.send({ type: 'typing' });
    const told = await bob.next((f) => f.type === 'typing');
    assert.notEqual(ada.self.addr, '', 'ada knows her own address');
    assert.deepEqual(told.from, { ...ada.self, addr: '' });
  });

  it('tells a private conversation\'s named peers only, online ones, never the sender', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    ada.send({ type: 'typing', to: { ids: [bob.self.id, 'nobody-online', ada.self.id, bob.self.id] } });
    const told = await bob.next((f) => f.type === 'typing');
    assert.deepEqual(told, { type: 'typing', from: ada.self }, 'no room: a private conversation');
    await barrier(ada, [bob, cy], { room: 'lobby' });
    assert.equal(bob.ofType('typing').length, 1, 'once, though named twice');
    assert.deepEqual(cy.ofType('typing'), [], 'cy shares the room but is not in the conversation');
    assert.deepEqual(ada.ofType('typing'), []);
    assert.deepEqual(ada.ofType('error'), [], 'an id of nobody online is skipped, not refused');
  });

  it('drops typing in a large room', async () => {
    const relay = await fixture.relay({ presenceThreshold: 2 });
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['big', 'small'] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['big', 'small'] });
    await fixture.client(relay, { name: 'cy', rooms: ['big'] });
    ada.send({ type: 'typing', room: 'big' });
    ada.send({ type: 'typing', room: 'small' });
    assert.equal((await bob.next((f) => f.type === 'typing')).room, 'small');
    await barrier(ada, [bob], { room: 'big' });
    assert.deepEqual(bob.ofType('typing').map((f) => f.room), ['small'], 'three in big, more than the threshold of 2');
    assert.deepEqual(ada.ofType('error'), [], 'dropped, not refused');
  });

  it('forwards one typing of a burst, every stop, and a typing right after a stop', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 1000, burst: 200 });
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['red'] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['red'] });
    const cy = await fixture.client(relay, { name: 'cy', rooms: ['red'] });
    for (let i = 0; i < 50; i++) ada.send({ type: 'typing', room: 'red' });
    for (let i = 0; i < 50; i++) ada.send({ type: 'typing', to: { ids: [cy.self.id] } });
    await barrier(ada, [bob, cy], { room: 'red' });
    const burst = typingFrom(bob, 'ada');
    assert.ok(burst.length >= 1 && burst.length <= 2, `at most 2 of 50 in the first second-window, got ${burst.length}`);
    const privately = typingFrom(cy, 'ada').filter((f) => f.room === undefined);
    assert.ok(privately.length >= 1 && privately.length <= 2, `the private conversation is throttled on its own: ${privately.length}`);

    ada.send({ type: 'typing', room: 'red', stop: true });
    ada.send({ type: 'typing', room: 'red', stop: true });
    ada.send({ type: 'typing', room: 'red' });
    await barrier(ada, [bob], { room: 'red' });
    const after = typingFrom(bob, 'ada').slice(burst.length);
    assert.deepEqual(after.map((f) => f.stop ?? false), [true, true, false], 'stops always pass; a typing after a stop is news');
  });

  it('refuses typing before hello, and to a room the connection is not in', async () => {
    const relay = await fixture.relay();
    const early = fixture.raw(relay);
    await new Promise<void>((resolve) => early.socket.once('open', () => resolve()));
    early.send({ type: 'typing' });
    assert.equal((await early.next((f) => f.type === 'error')).code, 'hello_required');

    const ada = await fixture.client(relay, { name: 'ada', rooms: ['red'] });
    ada.send({ type: 'typing', room: 'blue' });
    const refused = await ada.next((f) => f.type === 'error');
    assert.deepEqual([refused.code, refused.room], ['not_in_room', 'blue']);
    const nowhere = await fixture.client(relay, { name: 'nemo', rooms: [] });
    nowhere.send({ type: 'typing' });
    assert.equal((await nowhere.next((f) => f.type === 'error')).code, 'not_in_room');
    ada.send({ type: 'typing', room: 'red', to: { ids: [nowhere.self.id] } });
    assert.equal((await ada.next((f) => f.type === 'error', undefined, ada.frames.indexOf(refused) + 1)).code, 'bad_field');
  });

  it('never tells a legacy client', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=old' });
    const ada = await fixture.client(relay, { name: 'ada' });
    ada.send({ type: 'typing' });
    ada.send({ type: 'typing', stop: true });
    await barrier(ada, [], { room: 'lobby' });
    await old.next((f) => (f.data as unknown) === 'barrier-' + barriers);
    assert.deepEqual(
      old.frames.filter((f) => f.type !== undefined || (f.currUserName === 'ada' && f.data !== 'barrier-' + barriers && f.data !== 'login')),
      [],
      'nothing but the login notice and the barrier',
    );
  });

  it('paces a flood of typing like any frame, and others are not held up by it', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 20, burst: 5, floodThreshold: 1000 });
    const started = Date.now();
    const flooder = await fixture.client(relay, { name: 'flooder' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    for (let i = 0; i < 60; i++) flooder.send({ type: 'typing', ...(i % 2 ? { stop: true } : {}) });
    flooder.send({ type: 'send', id: 'after-flood', data: 'x' });
    bob.send({ type: 'send', id: 'meanwhile', to: { ids: [cy.self.id] }, data: 'hi' });
    await cy.next((f) => f.id === 'meanwhile');
    const bobAck = await bob.next((f) => f.type === 'ack' && f.id === 'meanwhile');
    const flooderAck = await flooder.next((f) => f.type === 'ack' && f.id === 'after-flood');
    assert.ok((bobAck.ts as number) < (flooderAck.ts as number), 'bob was not queued behind the flood');
    // hello + 60 typing + 1 send against a bucket of 5 filling at 20 a second: at least 2.8 s.
    assert.ok((flooderAck.ts as number) - started >= 2800, `the flood was paced: ${(flooderAck.ts as number) - started} ms`);
    assert.equal(flooder.closeCode, undefined);
    await bob.next((f) => f.type === 'typing' && f.stop === true);
  });
});
