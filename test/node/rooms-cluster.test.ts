// Rooms across a cluster on Redis: every node knows every room's members, so
// isolation, presence, counts and `who` hold whichever node a client is on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { TestClient, type ClientOptions } from '../support/test-client.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };

describe('rooms in a relay cluster on Redis', () => {
  let redis: TestRedis;
  const relays: RelayServer[] = [];
  const clients: TestClient[] = [];

  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
    await redis.close();
  });

  const node = async (prefix: string, options: { presenceThreshold?: number } = {}) => {
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, redis: redis.url, redisPrefix: prefix, ...options });
    relays.push(relay);
    return relay;
  };
  const connect = async (relay: RelayServer, options: ClientOptions) => {
    const client = await TestClient.connect(relay.url, options);
    clients.push(client);
    return client;
  };

  it('keeps broadcasts and presence in their room across nodes, with cluster-wide counts', async () => {
    const prefix = `${redis.prefix}iso`;
    const [a, b] = [await node(prefix), await node(prefix)] as [RelayServer, RelayServer];
    const ada = await connect(a, { name: 'ada', rooms: ['red'] });
    const bob = await connect(b, { name: 'bob', rooms: ['red', 'blue'] });
    const cy = await connect(b, { name: 'cy', rooms: ['blue'] });
    await waitFor(() => a.online === 3 && b.online === 3, 'everyone counted on both nodes');
    const dee = await connect(a, { name: 'dee', rooms: ['blue'] });
    assert.deepEqual(
      (dee.welcome.rooms as Array<{ room: string; count: number; roster: Peer[] }>).map((r) => [r.room, r.count, r.roster.map((p) => p.name).sort()]),
      [['blue', 3, ['bob', 'cy', 'dee']]],
      'the welcome lists the members on the other node',
    );
    for (const member of [bob, cy]) {
      const notice = await member.next((f) => f.type === 'join' && (f.peer as Peer).name === 'dee');
      assert.deepEqual([notice.room, notice.count], ['blue', 3]);
    }
    ada.send({ type: 'send', id: 'red-1', room: 'red', data: 'red' });
    assert.equal((await ada.next((f) => f.type === 'ack' && f.id === 'red-1')).recipients, 1);
    dee.send({ type: 'send', id: 'blue-1', data: 'blue' });
    assert.equal((await dee.next((f) => f.type === 'ack' && f.id === 'blue-1')).recipients, 2);
    await bob.next((f) => f.id === 'blue-1');
    await cy.next((f) => f.id === 'blue-1');
    await bob.next((f) => f.id === 'red-1');
    // A join frame on one node is told on the other, in that room only.
    cy.send({ type: 'join', room: 'red', id: 'cy-red' });
    await cy.next((f) => f.type === 'joined' && f.id === 'cy-red');
    const cyInRed = await ada.next((f) => f.type === 'join' && (f.peer as Peer).name === 'cy');
    assert.deepEqual([cyInRed.room, cyInRed.count], ['red', 3]);
    cy.send({ type: 'leave', room: 'blue', id: 'cy-blue' });
    const cyLeftBlue = await dee.next((f) => f.type === 'leave' && (f.peer as Peer).name === 'cy');
    assert.deepEqual([cyLeftBlue.room, cyLeftBlue.count], ['blue', 2]);
    ada.send({ type: 'send', id: 'red-2', room: 'red', data: 'red again' });
    await cy.next((f) => f.id === 'red-2');
    assert.ok(!ada.frames.some((f) => f.id === 'blue-1'), 'ada is not in blue');
    assert.ok(!dee.frames.some((f) => f.id === 'red-1' || f.id === 'red-2'), 'dee is not in red');
    assert.ok(!ada.frames.some((f) => f.type === 'join' && (f.peer as Peer).name === 'dee'), 'ada never heard of dee');
  });

  it('answers who with the members of a room on every node', async () => {
    const prefix = `${redis.prefix}who`;
    const [a, b] = [await node(prefix, { presenceThreshold: 3 }), await node(prefix, { presenceThreshold: 3 })] as [RelayServer, RelayServer];
    const asker = await connect(a, { name: 'asker', rooms: ['hall'] });
    for (const [relay, name] of [
      [a, 'Marta'],
      [b, 'martin'],
      [b, 'Tom'],
      [a, 'MARTY'],
      [b, 'zed'],
    ] as const) {
      await connect(relay, { name, rooms: ['hall'] });
    }
    await waitFor(() => a.online === 6 && b.online === 6, 'everyone counted on both nodes');
    asker.send({ type: 'who', id: 'q', room: 'hall', query: 'mart' });
    const found = await asker.next((f) => f.type === 'roster' && f.id === 'q');
    assert.equal(found.count, 6);
    assert.deepEqual((found.peers as Peer[]).map((p) => p.name).sort(), ['MARTY', 'Marta', 'martin']);
    const late = await connect(b, { name: 'late', rooms: ['hall'] });
    const hall = (late.welcome.rooms as Array<{ partial?: boolean; count: number }>)[0]!;
    assert.deepEqual([hall.partial, hall.count], [true, 7], 'a large room across nodes is partial');
    await waitFor(() => asker.ofType('presence').some((f) => (f.joined as Peer[]).some((p) => p.name === 'late')), 'a batch on the other node');
  });
});
