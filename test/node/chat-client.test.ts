import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { BlackholeProxy } from '../support/blackhole-proxy.js';
import { waitFor } from '../support/wait.js';

describe('ChatClient: dead links, outbox and resume', () => {
  const relays: RelayServer[] = [];
  const proxies: BlackholeProxy[] = [];
  const clients: ChatClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await Promise.all(relays.map((relay) => relay.close()));
  });

  const relay = async (options = {}) => {
    const started = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...options });
    relays.push(started);
    return started;
  };
  const client = (url: string, options: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) => {
    const created = new ChatClient({ url, WebSocket: WebSocket as never, store: memoryStore(), minReconnectionDelay: 20, maxReconnectionDelay: 100, ...options });
    clients.push(created);
    created.connect();
    return created;
  };

  it('replaces a link that went silent once the heartbeat timeout passes, and resumes its session', async () => {
    const server = await relay({ heartbeatInterval: 60_000 });
    const proxy = new BlackholeProxy(server.port!);
    proxies.push(proxy);
    const port = await proxy.start();
    const ada = client(`ws://127.0.0.1:${port}/`, { name: 'ada', deadLinkTimeout: 600 });
    await waitFor(() => ada.status === 'online', 'online');
    const id = ada.self!.id;
    const statuses: string[] = [];
    ada.on('status', ({ status }) => statuses.push(status));
    proxy.freeze();
    // The relay's own heartbeat (60 s) cannot be what notices it within this deadline: the client's must.
    await waitFor(() => statuses.includes('reconnecting'), 'noticed the dead link', 15_000);
    await waitFor(() => ada.status === 'online', 'back online', 15_000);
    assert.equal(ada.self!.id, id, 'same session');
  });

  it('checkLink() finds a dead link within the probe timeout, without waiting for the heartbeat', async () => {
    const server = await relay({ heartbeatInterval: 60_000 });
    const proxy = new BlackholeProxy(server.port!);
    proxies.push(proxy);
    const port = await proxy.start();
    const bob = client(`ws://127.0.0.1:${port}/`, { name: 'bob', probeTimeout: 300 });
    await waitFor(() => bob.status === 'online', 'online');
    const id = bob.self!.id;
    let replacedAt = 0;
    bob.on('status', ({ status }) => {
      if (status === 'reconnecting' && !replacedAt) replacedAt = Date.now();
    });
    proxy.freeze();
    const asked = Date.now();
    bob.checkLink();
    // The heartbeat would take 70 s: within this deadline only the probe can have found it.
    await waitFor(() => replacedAt > 0, 'the probe failed and the link was replaced', 15_000);
    // A timer never fires early, however busy the machine (250: Node rounds timers to the millisecond).
    assert.ok(replacedAt - asked >= 250, `not before the probe timeout (${replacedAt - asked} ms)`);
    await waitFor(() => bob.status === 'online', 'back online', 15_000);
    assert.equal(bob.self!.id, id);
  });

  it('checkLink() while reconnecting skips the backoff wait', async () => {
    const server = await relay();
    const port = server.port!;
    // A backoff of a minute: back online within the deadline below means the wait was skipped.
    const cy = client(server.url, { name: 'cy', minReconnectionDelay: 60_000, maxReconnectionDelay: 60_000, jitter: 0 });
    await waitFor(() => cy.status === 'online', 'online');
    await server.close();
    await waitFor(() => cy.status === 'reconnecting' && cy.retryAt !== undefined && cy.retryAt > Date.now() + 30_000, 'waiting a minute to retry', 15_000);
    relays.push(await createRelayServer({ port, host: '127.0.0.1', logger: false }));
    cy.checkLink();
    await waitFor(() => cy.status === 'online', 'online again', 20_000);
  });

  it('keeps the outbox across close() and connect(), in order, and sends it once', async () => {
    const server = await relay();
    const dee = client(server.url, { name: 'dee' });
    const eve = client(server.url, { name: 'eve' });
    await waitFor(() => dee.status === 'online' && eve.roster.length === 2, 'both online');
    const seen: string[] = [];
    eve.on('message', (m) => seen.push(m.text));
    dee.close();
    dee.send('one');
    dee.send('two');
    assert.deepEqual(dee.pending.map((m) => m.text), ['one', 'two']);
    dee.connect();
    await waitFor(() => seen.length === 2, 'eve got both');
    assert.deepEqual(seen, ['one', 'two']);
    await waitFor(() => dee.pending.length === 0, 'acknowledged');
  });

  it('reports receipts again after close() and connect(): its senders still see "delivered"', async () => {
    const server = await relay();
    const dee = client(server.url, { name: 'dee' });
    const eve = client(server.url, { name: 'eve' });
    await waitFor(() => dee.status === 'online' && eve.roster.length === 2, 'both online');
    const states = new Map<string, string | undefined>();
    eve.on('update', (m) => states.set(m.text, m.state));
    const deeId = () => eve.roster.find((peer) => peer.name === 'dee')!.id;
    let heard = 0;
    dee.on('message', () => {
      heard++;
      // Closed just after the message is in, before its receipt goes out (it waits 250 ms, for a burst).
      if (heard === 1) setTimeout(() => dee.close(), 0);
    });
    eve.send('first', { ids: [deeId()] });
    await waitFor(() => heard === 1 && dee.status === 'offline', 'dee has it, and closed');
    dee.connect();
    await waitFor(() => dee.status === 'online', 'dee back');
    eve.send('second', { ids: [deeId()] });
    await waitFor(() => states.get('second') === 'delivered', () => `"second" delivered (states: ${JSON.stringify([...states])})`);
    await waitFor(() => states.get('first') === 'delivered', '"first" delivered too, reported once dee was back');
  });

  it('refuses more than maxOutbox messages, saying so, and drops nothing already accepted', async () => {
    const lonely = client('ws://127.0.0.1:9/', { maxOutbox: 2 });
    const errors: string[] = [];
    lonely.on('error', (e) => errors.push(e.code));
    assert.ok(lonely.send('a'));
    assert.ok(lonely.send('b'));
    assert.equal(lonely.send('c'), undefined);
    assert.ok(errors.includes('outbox_full'));
    assert.deepEqual(lonely.pending.map((m) => m.text), ['a', 'b']);
  });
});
