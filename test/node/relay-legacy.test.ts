import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { from, relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

describe('relay legacy mode (the original IP-routing format)', () => {
  const fixture = relayFixture();

  it('broadcasts a login notice in the old format, with the online count, to legacy clients', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=oldie' });
    const own = await old.next((f) => f.data === 'login');
    assert.deepEqual(own, { count: 1, currUserIp: '127.0.0.1', currUserName: 'oldie', data: 'login' });
    await fixture.client(relay, { name: 'Ada' });
    const login = await old.next((f) => f.data === 'login' && f.currUserName === 'Ada');
    assert.deepEqual(Object.keys(login).sort(), ['count', 'currUserIp', 'currUserName', 'data']);
    assert.equal(login.count, 2);
  });

  it('a legacy client and a v1 client talk to each other, each in its own format', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy' });
    const ada = await fixture.client(relay, { name: 'Ada' });

    old.send({ userName: 'Oldie', data: 'hi from the old client' });
    const received = await ada.next((f) => f.type === 'message');
    assert.equal((received.from as { name: string }).name, 'Oldie');
    assert.equal((received.from as { addr: string }).addr, '127.0.0.1');
    assert.equal(received.data, 'hi from the old client');
    // The original server echoed a broadcast to its sender too.
    const echo = await old.next((f) => f.data === 'hi from the old client');
    assert.deepEqual(echo, { count: 2, currUserIp: '127.0.0.1', currUserName: 'Oldie', data: 'hi from the old client' });

    ada.send({ type: 'send', id: 'a1', data: { text: 'hello, old friend' } });
    const legacyFrame = await old.next((f) => f.currUserName === 'Ada' && f.data !== 'login');
    assert.deepEqual(legacyFrame, { count: 2, currUserIp: '127.0.0.1', currUserName: 'Ada', data: { text: 'hello, old friend' } });

    ada.close();
    assert.deepEqual(await old.next((f) => f.data === 'logout'), {
      count: 1,
      currUserIp: '127.0.0.1',
      currUserName: 'Ada',
      data: 'logout',
    });
  });

  it('routes an ip list to the clients at those addresses only, and an empty list to everyone', async () => {
    const relay = await fixture.relay({ trustProxy: true });
    const sender = await fixture.client(relay, { dialect: 'legacy', query: 'userName=s', ...from('10.1.0.1') });
    const target = await fixture.client(relay, { dialect: 'legacy', ...from('10.1.0.2') });
    const v1Target = await fixture.client(relay, { name: 'v1', ...from('10.1.0.2') });
    const bystander = await fixture.client(relay, { dialect: 'legacy', ...from('10.1.0.3') });

    sender.send({ ip: ['10.1.0.2', '10.9.9.9'], data: 'psst' });
    await target.next((f) => f.data === 'psst');
    const v1 = await v1Target.next((f) => f.type === 'message');
    assert.deepEqual(v1.to, { addrs: ['10.1.0.2', '10.9.9.9'] });
    sender.send({ ip: [], data: 'everyone' });
    await bystander.next((f) => f.data === 'everyone');
    assert.equal(bystander.frames.some((f) => f.data === 'psst'), false);
    assert.equal(sender.frames.some((f) => f.data === 'psst'), false, 'not the sender, unless its own address is listed');
  });

  it('answers malformed legacy input in the old shape and keeps the connection', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy' });
    old.sendRaw('not json');
    const error = await old.next((f) => typeof f.data === 'object' && f.data !== null && 'error' in f.data);
    assert.equal((error.data as { error: string }).error, 'bad_frame');
    old.send({ ip: 42, data: 'x' });
    const fieldError = await old.next((f) => (f.data as { error?: string } | null)?.error === 'bad_field');
    assert.match((fieldError.data as { message: string }).message, /ip/);
    old.send({ data: 'still here' });
    await old.next((f) => f.data === 'still here');
  });

  it('refuses a v1 frame on a legacy connection instead of broadcasting it', async () => {
    const relay = await fixture.relay();
    const confused = await fixture.client(relay, { dialect: 'legacy', query: 'userName=confused' });
    const bystander = await fixture.client(relay, { name: 'bystander' });
    confused.send({ type: 'send', id: 'p1', to: { ids: [bystander.self.id] }, data: 'meant to be private' });
    const error = await confused.next((f) => (f.data as { error?: string } | null)?.error === 'bad_frame');
    assert.match((error.data as { message: string }).message, /message-center\.v1/);
    confused.send({ data: 'an ordinary legacy broadcast' });
    await bystander.next((f) => f.data === 'an ordinary legacy broadcast');
    assert.equal(bystander.frames.some((f) => f.data === 'meant to be private'), false);
  });

  it('makes a legacy burst beyond the rate limit wait, in order, rather than refuse it (its errors carry no id to send it again by)', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 100, burst: 10 });
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=oldie' });
    const ada = await fixture.client(relay, { name: 'Ada' });
    for (let i = 0; i < 150; i++) old.send({ userName: 'oldie', data: `o${i}` });
    await waitFor(() => ada.ofType('message').length === 150 || old.closeCode !== undefined, 'all 150 routed', 10_000);
    assert.deepEqual(ada.ofType('message').map((f) => f.data), Array.from({ length: 150 }, (_, i) => `o${i}`));
    assert.deepEqual(old.frames.filter((f) => (f.data as { error?: string } | null)?.error), [], 'no error');
    assert.equal(old.closeCode, undefined);
  });

  it('counts bad legacy frames toward flood protection', async () => {
    const relay = await fixture.relay({ floodThreshold: 5, maxMessagesPerSecond: 1000, burst: 1000 });
    const noisy = await fixture.client(relay, { dialect: 'legacy' });
    for (let i = 0; i < 20; i++) noisy.sendRaw('garbage');
    assert.deepEqual(await noisy.closed(), { code: 1008, reason: 'flood' });
  });

  it('reports a legacy address list to v1 clients within v1 limits', async () => {
    const relay = await fixture.relay({ trustProxy: true });
    const old = await fixture.client(relay, { dialect: 'legacy', ...from('10.2.0.1') });
    const v1 = await fixture.client(relay, { name: 'v1', ...from('10.2.0.2') });
    const ip = ['10.2.0.2', 'x'.repeat(65), ...Array.from({ length: 150 }, (_, i) => `10.3.${i >> 8}.${i & 255}`)];
    old.send({ ip, data: 'many targets' });
    const message = await v1.next((f) => f.type === 'message');
    const addrs = (message.to as { addrs: string[] }).addrs;
    assert.equal(addrs.length, 100);
    assert.equal(addrs[0], '10.2.0.2');
    assert.ok(addrs.every((addr) => addr.length <= 64));
  });

  it('sends a list of only impossible addresses to no one, not to everyone', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=old' });
    const v1 = await fixture.client(relay, { name: 'v1' });
    old.send({ ip: ['x'.repeat(65)], data: 'nobody should see this' });
    old.send({ data: 'barrier' });
    await v1.next((f) => f.type === 'message' && f.data === 'barrier');
    assert.equal(v1.frames.some((f) => f.data === 'nobody should see this'), false);
  });

  it('lets an original client send a top-level "type" of its own, as the original server did', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=old' });
    old.send({ type: 'chat', data: 'typed by the app' });
    await old.next((f) => f.data === 'typed by the app');
  });
});
