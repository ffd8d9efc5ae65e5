import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { TestClient } from '../support/test-client.js';
import { DEADLINE_MS, waitFor } from '../support/wait.js';

type Welcome = { session: string; epoch: string; offset: number; self: { id: string; name: string; addr: string } };

describe('a relay cluster on Redis', () => {
  let redis: TestRedis;
  const relays: RelayServer[] = [];
  const clients: TestClient[] = [];
  let nodes: RelayServer[] = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
    await redis.close();
  });

  const node = async (prefix: string) => {
    const relay = await createRelayServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      redis: redis.url,
      redisPrefix: prefix,
      trustProxy: 'loopback',
    });
    relays.push(relay);
    return relay;
  };
  const connect = async (relay: RelayServer, name: string, addr?: string) => {
    const client = await TestClient.connect(relay.url, { name, ...(addr ? { headers: { 'x-forwarded-for': addr } } : {}) });
    clients.push(client);
    return client;
  };

  it('refuses to start, with a clear error, when Redis cannot be reached', async () => {
    await assert.rejects(
      createRelayServer({ port: 0, logger: false, redis: 'redis://127.0.0.1:9/' }),
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:9/,
    );
  });

  it('routes broadcast and unicast (by id, name and address) to clients on any node, and only to them', async () => {
    const prefix = `${redis.prefix}a`;
    nodes = [await node(prefix), await node(prefix), await node(prefix)];
    const [a, b, c] = nodes as [RelayServer, RelayServer, RelayServer];
    const ada = await connect(a, 'ada', '10.0.0.1');
    const bob = await connect(b, 'bob', '10.0.0.2');
    const bobTab = await connect(c, 'bob', '10.0.0.3');
    const cy = await connect(c, 'cy', '10.0.0.4');
    await waitFor(() => nodes.every((n) => n.online === 4), 'everyone counted on every node');
    // Presence spreads through the cluster in a moment; a client that comes
    // after it has, on any node, is welcomed with everyone.
    const late = await connect(a, 'late');
    assert.equal(late.welcome.count, 5);
    assert.deepEqual(
      (late.welcome.roster as Array<{ name: string }>).map((p) => p.name).sort(),
      ['ada', 'bob', 'bob', 'cy', 'late'],
      'the welcome roster spans the cluster',
    );
    late.close();
    await waitFor(() => nodes.every((n) => n.online === 4), 'late gone everywhere');

    ada.send({ type: 'send', id: 'all', data: 'hello cluster' });
    const ack = await ada.next((f) => f.type === 'ack' && f.id === 'all');
    assert.equal(ack.recipients, 3);
    for (const peer of [bob, bobTab, cy]) assert.equal((await peer.next((f) => f.id === 'all')).data, 'hello cluster');

    ada.send({ type: 'send', id: 'byid', to: { ids: [cy.self.id] }, data: 'for cy' });
    ada.send({ type: 'send', id: 'byname', to: { names: ['bob'] }, data: 'for both bobs' });
    ada.send({ type: 'send', id: 'byaddr', to: { addrs: ['10.0.0.3'] }, data: 'for the second bob' });
    ada.send({ type: 'send', id: 'barrier', data: 'done' });
    for (const peer of [bob, bobTab, cy]) await peer.next((f) => f.id === 'barrier');
    const got = (client: TestClient) => client.ofType('message').map((f) => f.id);
    assert.deepEqual(got(cy), ['all', 'byid', 'barrier']);
    assert.deepEqual(got(bob), ['all', 'byname', 'barrier']);
    assert.deepEqual(got(bobTab), ['all', 'byname', 'byaddr', 'barrier']);

    ada.send({ type: 'send', id: 'nobody', to: { names: ['zed'] }, data: 'x' });
    assert.deepEqual((await ada.next((f) => f.type === 'error')).targets, { names: ['zed'] });
  });

  it('tells every node of joins and leaves, with the cluster-wide count', async () => {
    const [a, b] = nodes as [RelayServer, RelayServer];
    const watcher = await connect(a, 'watcher');
    const seen = watcher.frames.length;
    const dee = await connect(b, 'dee');
    const joined = await watcher.next((f) => f.type === 'join', undefined, seen);
    assert.deepEqual(joined, { type: 'join', peer: dee.self, count: 6, room: 'lobby' });
    dee.close();
    const left = await watcher.next((f) => f.type === 'leave', undefined, seen);
    assert.deepEqual(left, { type: 'leave', peer: dee.self, count: 5, room: 'lobby' });
  });

  it('resumes a client on another node, replaying what it missed, with the same identity', async () => {
    const [a, b, c] = nodes as [RelayServer, RelayServer, RelayServer];
    const sender = await connect(a, 'sender');
    const mover = await connect(b, 'mover');
    const welcome = mover.welcome as unknown as Welcome;
    await sender.next((f) => f.type === 'join' && (f.peer as { name: string }).name === 'mover');
    mover.close();
    await sender.next((f) => f.type === 'leave' && (f.peer as { name: string }).name === 'mover');
    sender.send({ type: 'send', id: 'away1', to: { ids: [welcome.self.id] }, data: 'while you moved' });
    sender.send({ type: 'send', id: 'away2', data: 'to all while you moved' });
    await sender.next((f) => f.type === 'ack' && f.id === 'away2');

    const back = new TestClient(c.url);
    clients.push(back);
    await new Promise((resolve) => back.socket.once('open', resolve));
    back.send({ type: 'hello', resume: { session: welcome.session, epoch: welcome.epoch, offset: welcome.offset } });
    const resumed = await back.next((f) => f.type === 'welcome');
    assert.equal(resumed.resumed, true);
    assert.deepEqual(resumed.self, welcome.self);
    await back.next((f) => f.id === 'away2');
    assert.deepEqual(back.ofType('message').map((f) => f.id), ['away1', 'away2']);
  });

  it('answers a resend on another node from the shared log: same offset, not routed twice', async () => {
    const [a, b] = nodes as [RelayServer, RelayServer];
    const writer = await connect(a, 'writer');
    writer.send({ type: 'send', id: 'once', data: 'only once' });
    const first = await writer.next((f) => f.type === 'ack' && f.id === 'once');
    const welcome = writer.welcome as unknown as Welcome;
    writer.close();
    const moved = new TestClient(b.url);
    clients.push(moved);
    await new Promise((resolve) => moved.socket.once('open', resolve));
    moved.send({ type: 'hello', resume: { session: welcome.session, epoch: welcome.epoch, offset: first.offset as number } });
    await moved.next((f) => f.type === 'welcome');
    moved.send({ type: 'send', id: 'once', data: 'only once' });
    const again = await moved.next((f) => f.type === 'ack');
    assert.equal(again.duplicate, true);
    assert.equal(again.offset, first.offset);
  });

  it('says messages may be missing when what a client missed is older than the window allows', async () => {
    const prefix = `${redis.prefix}age`;
    const short = async () => {
      const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, redis: redis.url, redisPrefix: prefix, logMaxAge: 300 });
      relays.push(relay);
      return relay;
    };
    const [a, b] = [await short(), await short()];
    const sender = await connect(a, 'sender');
    const away = await connect(b, 'away');
    const welcome = away.welcome as unknown as Welcome;
    away.close();
    await sender.next((f) => f.type === 'leave' && (f.peer as { name: string }).name === 'away');
    sender.send({ type: 'send', id: 'old', to: { ids: [welcome.self.id] }, data: 'too long ago' });
    await sender.next((f) => f.type === 'ack' && f.id === 'old');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const back = new TestClient(a.url);
    clients.push(back);
    await new Promise((resolve) => back.socket.once('open', resolve));
    back.send({ type: 'hello', resume: { session: welcome.session, epoch: welcome.epoch, offset: welcome.offset } });
    const resumed = await back.next((f) => f.type === 'welcome');
    assert.equal(resumed.resumed, true, 'the session itself outlives the log window');
    assert.equal(resumed.gap, true, 'the message that aged out is reported as missing');
    assert.deepEqual(back.ofType('message'), []);
  });

  it('reports Redis and the nodes alive on the health endpoint', async () => {
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${nodes[0]!.port}/readyz`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    let last = await health();
    for (const deadline = Date.now() + DEADLINE_MS; last.body.nodes !== 3 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await health();
    }
    assert.equal(last.status, 200);
    assert.equal(last.body.redis, 'up');
    assert.equal(last.body.nodes, 3);
  });
  it('two resumes of one session at once: the later takes it over, and the earlier, though its replay was under way, never comes back online', async () => {
    const relay = await node(`${redis.prefix}race`);
    const ada = await connect(relay, 'ada');
    const bob = await connect(relay, 'bob');
    const welcome = bob.welcome as unknown as Welcome;
    bob.close();
    await waitFor(() => relay.online === 1, 'bob away');
    // Two copies of Bob's page come back at the same moment, each with his session.
    const copies = [new TestClient(relay.url), new TestClient(relay.url)];
    clients.push(...copies);
    await Promise.all(copies.map((copy) => new Promise((resolve) => copy.socket.once('open', resolve))));
    for (const copy of copies) copy.send({ type: 'hello', name: 'bob', resume: { session: welcome.session, epoch: welcome.epoch, offset: welcome.offset } });
    // Whichever hello the relay read first is taken over by the other (two sockets: either may be read first).
    const taken = await Promise.race(copies.map((copy) => copy.closed().then((closed) => ({ copy, closed }))));
    assert.deepEqual(taken.closed, { code: 4409, reason: 'session_taken_over' });
    const second = copies.find((copy) => copy !== taken.copy)!;
    await second.next((frame) => frame.type === 'welcome');
    // Settled: Bob is online once, through the copy that took over, and Ada was never told he left.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(relay.online, 2);
    assert.deepEqual(ada.ofType('leave').filter((frame) => (frame.peer as { name: string }).name === 'bob').length, 1, 'only the first leave, when he closed');
    ada.send({ type: 'send', id: 'still-there', to: { ids: [welcome.self.id] }, data: 'hi' });
    await second.next((frame) => frame.id === 'still-there');
  });
});
