import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, relayFixture } from '../support/relay-fixture.js';

describe('relay routing', () => {
  const fixture = relayFixture();

  it('gives each connection an identity: a unique id, the asked-for name, the IPv4 address', async () => {
    // Listening on '::' makes IPv4 clients arrive as ::ffff:127.0.0.1.
    const relay = await fixture.relay({ host: '::' });
    const ada = await fixture.client(relay, { name: '  Ada \u202e Lovelace ' });
    const anonymous = await fixture.client(relay);
    assert.equal(ada.self.name, 'Ada Lovelace');
    assert.equal(ada.self.addr, '127.0.0.1');
    assert.match(anonymous.self.name, /^guest-/);
    assert.notEqual(ada.self.id, anonymous.self.id);
    assert.equal(ada.welcome.v, 1);
    assert.equal(typeof ada.welcome.session, 'string');
    assert.ok((ada.welcome.session as string).length >= 20, 'the session token is long enough to be secret');
  });

  it('broadcasts to everyone else, acknowledges the sender with the sequence number, stamps the sender', async () => {
    const relay = await fixture.relay();
    const [ada, bob, cy] = [
      await fixture.client(relay, { name: 'ada' }),
      await fixture.client(relay, { name: 'bob' }),
      await fixture.client(relay, { name: 'cy' }),
    ];
    ada.send({ type: 'send', id: 'm1', data: { text: 'hello all' } });
    const ack = await ada.next((f) => f.type === 'ack');
    assert.equal(ack.id, 'm1');
    assert.equal(ack.recipients, 2);
    assert.equal(typeof ack.offset, 'number');
    for (const peer of [bob, cy]) {
      const message = await peer.next((f) => f.type === 'message');
      assert.deepEqual(message.from, ada.self);
      assert.deepEqual(message.data, { text: 'hello all' });
      assert.equal(message.offset, ack.offset);
      assert.equal(message.to, undefined);
    }
    assert.equal(ada.ofType('message').length, 0, 'the sender gets an ack, not an echo');

    ada.send({ type: 'send', id: 'm2', data: 'two' });
    const second = await ada.next((f) => f.type === 'ack' && f.id === 'm2');
    assert.equal(second.offset, (ack.offset as number) + 1, 'offsets increase by one per routed message');
  });

  it('refuses a client-supplied sender: the frame is invalid, nothing is routed', async () => {
    const relay = await fixture.relay();
    const mallory = await fixture.client(relay, { name: 'mallory' });
    const bob = await fixture.client(relay, { name: 'bob' });
    mallory.send({ type: 'send', id: 'spoof', from: { id: bob.self.id, name: 'bob', addr: '1.2.3.4' }, data: 'I am bob' });
    const error = await mallory.next((f) => f.type === 'error');
    assert.equal(error.code, 'bad_field');
    assert.equal(error.id, 'spoof');
    mallory.send({ type: 'send', id: 'real', data: 'hi' });
    const message = await bob.next((f) => f.type === 'message');
    assert.equal(message.id, 'real');
    assert.deepEqual(message.from, mallory.self);
  });

  it('unicasts by id to its target only; a third client never sees it', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    ada.send({ type: 'send', id: 'secret', to: { ids: [bob.self.id] }, data: 'for bob' });
    const ack = await ada.next((f) => f.type === 'ack');
    assert.equal(ack.recipients, 1);
    const message = await bob.next((f) => f.type === 'message');
    assert.deepEqual(message.to, { ids: [bob.self.id] });
    // A broadcast sent afterwards by the same sender arrives after the unicast
    // would have: once cy has it, cy would already have had the unicast.
    ada.send({ type: 'send', id: 'barrier', data: 'everyone' });
    await cy.next((f) => f.type === 'message' && f.id === 'barrier');
    assert.deepEqual(
      cy.ofType('message').map((f) => f.id),
      ['barrier'],
    );
  });

  it('unicasts by name to every connection of that user (several tabs), and only them', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bobTab1 = await fixture.client(relay, { name: 'bob' });
    const bobTab2 = await fixture.client(relay, { name: 'bob' });
    const cy = await fixture.client(relay, { name: 'cy' });
    ada.send({ type: 'send', id: 'n1', to: { names: ['bob'] }, data: 'both tabs' });
    assert.equal((await ada.next((f) => f.type === 'ack')).recipients, 2);
    await bobTab1.next((f) => f.id === 'n1');
    await bobTab2.next((f) => f.id === 'n1');
    ada.send({ type: 'send', id: 'barrier', data: '' });
    await cy.next((f) => f.id === 'barrier');
    assert.equal(cy.frames.some((f) => f.id === 'n1'), false);
  });

  it('multicasts by address (the old ip list), by id and name at once, each recipient once', async () => {
    const relay = await fixture.relay({ trustProxy: 'loopback' });
    const ada = await fixture.client(relay, { name: 'ada', ...from('10.0.0.1') });
    const bob = await fixture.client(relay, { name: 'bob', ...from('10.0.0.2') });
    const cy = await fixture.client(relay, { name: 'cy', ...from('10.0.0.3') });
    const dee = await fixture.client(relay, { name: 'dee', ...from('10.0.0.4') });
    assert.equal(bob.self.addr, '10.0.0.2');
    ada.send({ type: 'send', id: 'multi', to: { addrs: ['10.0.0.2'], names: ['cy', 'bob'], ids: [bob.self.id] }, data: 'hi' });
    assert.equal((await ada.next((f) => f.type === 'ack')).recipients, 2);
    await cy.next((f) => f.id === 'multi');
    await bob.next((f) => f.id === 'multi');
    ada.send({ type: 'send', id: 'barrier', data: '' });
    await dee.next((f) => f.id === 'barrier');
    await bob.next((f) => f.id === 'barrier');
    assert.equal(dee.frames.some((f) => f.id === 'multi'), false);
    assert.equal(bob.ofType('message').filter((f) => f.id === 'multi').length, 1);
  });

  it('refuses a unicast with unknown targets, naming them, and delivers nothing', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    ada.send({ type: 'send', id: 'u1', to: { ids: [bob.self.id, 'nobody'], names: ['bob', 'zed'] }, data: 'x' });
    const error = await ada.next((f) => f.type === 'error');
    assert.equal(error.code, 'unknown_target');
    assert.equal(error.id, 'u1');
    assert.deepEqual(error.targets, { ids: ['nobody'], names: ['zed'] });
    assert.equal(ada.ofType('ack').length, 0);
    ada.send({ type: 'send', id: 'barrier', data: '' });
    await bob.next((f) => f.id === 'barrier');
    assert.equal(bob.frames.some((f) => f.id === 'u1'), false);
  });

  it('ignores X-Forwarded-For unless told to trust the proxy', async () => {
    const relay = await fixture.relay();
    const client = await fixture.client(relay, from('6.6.6.6'));
    assert.equal(client.self.addr, '127.0.0.1');
  });

  it('does not believe a forwarded address that is not an IP address', async () => {
    const relay = await fixture.relay({ trustProxy: true });
    const client = await fixture.client(relay, from('not an ip <b>'));
    assert.equal(client.self.addr, '127.0.0.1');
  });

  it('answers an application-level ping, also before hello', async () => {
    const relay = await fixture.relay();
    const client = fixture.raw(relay);
    await new Promise((resolve) => client.socket.once('open', resolve));
    client.send({ type: 'ping', t: 42 });
    assert.deepEqual(await client.next((f) => f.type === 'pong'), { type: 'pong', t: 42 });
  });
});
