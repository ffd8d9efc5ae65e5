import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Signal } from '../../src/server/cluster/coordinator.js';
import { RedisCoordinator } from '../../src/server/cluster/redis-coordinator.js';
import { DEFAULT_LOG_WINDOW } from '../../src/server/log/message-log.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

// Signals (typing, read receipts) cross the cluster on Redis pub/sub: every
// node gets each one once, and none is kept for a node that was not there.
describe('cluster signals', () => {
  let redis: TestRedis;
  const nodes: RedisCoordinator[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await redis.close();
  });
  const node = async (prefix: string) => {
    const coordinator = await RedisCoordinator.connect({
      url: redis.url,
      prefix,
      window: DEFAULT_LOG_WINDOW,
      sessionTtl: 60_000,
      logger: pino({ level: 'silent' }),
    });
    nodes.push(coordinator);
    const got: Signal[] = [];
    coordinator.onSignal((signal) => got.push(signal));
    return { coordinator, got };
  };

  test('a signal reaches every node of its cluster once, in the order sent, and no other cluster', async () => {
    const prefix = `${redis.prefix}signals`;
    const a = await node(prefix);
    const b = await node(prefix);
    const stranger = await node(`${redis.prefix}other`);
    for (let i = 0; i < 50; i++) {
      a.coordinator.signal({ room: 'lobby', except: 'p1', frame: { type: 'typing', from: { id: 'p1', name: 'Ada', addr: '' }, room: 'lobby', ...(i % 2 ? { stop: true } : {}) } });
    }
    await waitFor(() => a.got.length === 50 && b.got.length === 50, 'both nodes get all 50');
    assert.deepEqual(b.got, a.got);
    assert.deepEqual(
      b.got.map((signal) => (signal.frame as { stop?: boolean }).stop ?? false),
      Array.from({ length: 50 }, (_, i) => i % 2 === 1),
    );
    assert.equal(stranger.got.length, 0);
  });

  test('a node that joins later does not get signals sent before it came', async () => {
    const prefix = `${redis.prefix}late`;
    const a = await node(prefix);
    a.coordinator.signal({ peers: ['x'], frame: { type: 'pong' } });
    await waitFor(() => a.got.length === 1, 'the sender gets its own');
    const b = await node(prefix);
    a.coordinator.signal({ peers: ['y'], frame: { type: 'pong', t: 2 } });
    await waitFor(() => b.got.length === 1, 'the late node gets the second');
    assert.deepEqual(b.got[0]!.peers, ['y']);
  });
});
