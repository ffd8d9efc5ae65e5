import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { relayFixture } from '../support/relay-fixture.js';

describe('relay presence', () => {
  const fixture = relayFixture();

  it('welcomes with the roster and count, and tells everyone of joins and leaves with the count', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    assert.deepEqual(ada.welcome.roster, [ada.self]);
    assert.equal(ada.welcome.count, 1);

    const bob = await fixture.client(relay, { name: 'bob' });
    assert.deepEqual(
      (bob.welcome.roster as Array<{ name: string }>).map((peer) => peer.name).sort(),
      ['ada', 'bob'],
    );
    assert.equal(bob.welcome.count, 2);
    const joined = await ada.next((f) => f.type === 'join');
    assert.deepEqual(joined, { type: 'join', peer: bob.self, count: 2, room: 'lobby' });
    assert.equal(bob.ofType('join').length, 0, 'the newcomer gets its welcome, not its own join');

    const cy = await fixture.client(relay, { name: 'cy' });
    await ada.next((f) => f.type === 'join' && (f.peer as { name: string }).name === 'cy');
    await bob.next((f) => f.type === 'join');
    assert.equal(relay.online, 3);

    bob.close();
    const left = await ada.next((f) => f.type === 'leave');
    assert.deepEqual(left, { type: 'leave', peer: bob.self, count: 2, room: 'lobby' });
    assert.deepEqual(await cy.next((f) => f.type === 'leave'), left);
    assert.equal(relay.online, 2);
  });

  it('does not list a v1 client before its hello, nor announce it', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const lurker = fixture.raw(relay);
    await new Promise((resolve) => lurker.socket.once('open', resolve));
    await fixture.client(relay, { name: 'bob' });
    await ada.next((f) => f.type === 'join');
    assert.equal(relay.online, 2);
    assert.equal(relay.connections, 3);
    lurker.close();
    await ada.next((f) => f.type === 'join').then(() => undefined);
    assert.equal(ada.ofType('join').length, 1);
  });

  it('refuses to route before hello, and a second hello', async () => {
    const relay = await fixture.relay();
    const early = fixture.raw(relay);
    await new Promise((resolve) => early.socket.once('open', resolve));
    early.send({ type: 'send', id: 'too-soon', data: 1 });
    const error = await early.next((f) => f.type === 'error');
    assert.equal(error.code, 'hello_required');
    assert.equal(error.id, 'too-soon');
    early.send({ type: 'hello', name: 'late' });
    await early.next((f) => f.type === 'welcome');
    early.send({ type: 'hello', name: 'again' });
    assert.equal((await early.next((f) => f.type === 'error' && f.code !== 'hello_required')).code, 'already_hello');
  });

  it('closes a v1 socket that never says hello (4408)', async () => {
    const relay = await fixture.relay({ helloTimeout: 150 });
    const silent = fixture.raw(relay);
    assert.deepEqual(await silent.closed(), { code: 4408, reason: 'hello_timeout' });
  });
});
