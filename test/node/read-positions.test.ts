// Read positions against a model (fast-check): never back while kept, at most
// the bound per room (the least recently moved go), expired after maxAge, and
// `readers` counting and listing exactly the members at or past an offset.
// The memory store and the Redis one must give the same answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createClient, type RedisClientType } from 'redis';
import { RedisReadPositions } from '../../src/server/cluster/redis-read-positions.js';
import { MemoryReadPositions, type ReadPositions } from '../../src/server/read-positions.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';

const LIMITS = { bound: 4, maxAge: 1000 };
const LIMIT = 3;

type Step =
  | { kind: 'move'; room: string; member: string; offset: number; dt: number }
  | { kind: 'readers'; room: string; offset: number; except: string; dt: number };

const member = fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6');
const room = fc.constantFrom('a', 'b');
// Time moves on by at least 1 ms a step, so no two moves share a millisecond (Redis keeps no order within one).
const dt = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 300, max: 1200 }));
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), room, member, offset: fc.integer({ min: 1, max: 20 }), dt }),
  fc.record({ kind: fc.constant('readers' as const), room, offset: fc.integer({ min: 1, max: 20 }), except: member, dt }),
);

/** The model: per room, each member's offset and when it moved. */
class Model {
  private readonly rooms = new Map<string, Map<string, { offset: number; at: number }>>();

  move(room: string, member: string, offset: number, now: number): void {
    const positions = this.rooms.get(room) ?? new Map<string, { offset: number; at: number }>();
    this.rooms.set(room, positions);
    const known = positions.get(member);
    if (known && known.offset >= offset && now - known.at <= LIMITS.maxAge) return;
    positions.set(member, { offset, at: now });
    while (positions.size > LIMITS.bound) {
      const oldest = [...positions].sort((x, y) => x[1].at - y[1].at)[0]!;
      positions.delete(oldest[0]);
    }
  }

  readers(room: string, offset: number, except: string, now: number): { count: number; names: string[] } {
    const found = [...(this.rooms.get(room) ?? [])]
      .filter(([name, p]) => name !== except && p.offset >= offset && now - p.at <= LIMITS.maxAge)
      .sort((x, y) => y[1].at - x[1].at);
    return { count: found.length, names: found.slice(0, LIMIT).map(([name]) => name) };
  }
}

async function check(store: () => ReadPositions, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const positions = store();
      const model = new Model();
      let now = 1_000_000;
      for (const s of steps) {
        now += s.dt;
        if (s.kind === 'move') {
          model.move(s.room, s.member, s.offset, now);
          await positions.move(s.room, s.member, s.offset, { id: s.member, name: s.member, addr: '' }, now);
        } else {
          const got = await positions.readers(s.room, s.offset, s.except, LIMIT, now);
          assert.ok(got.count <= LIMITS.bound, 'never more than the bound');
          assert.deepEqual({ count: got.count, names: got.peers.map((p) => p.name) }, model.readers(s.room, s.offset, s.except, now));
        }
      }
    }),
    { numRuns: runs },
  );
}

describe('read positions', () => {
  it('in memory behave as the model', async () => {
    await check(() => new MemoryReadPositions(LIMITS), 300);
  });

  describe('on Redis', () => {
    let redis: TestRedis;
    let client: RedisClientType;
    let run = 0;
    before(async () => {
      redis = await startRedis({ durable: false });
      client = createClient({ url: redis.url });
      await client.connect();
    });
    after(async () => {
      await client.close();
      await redis.close();
    });

    it('behave as the model, each run under a prefix of its own', async () => {
      await check(() => new RedisReadPositions(client, `${redis.prefix}:${run++}`, LIMITS), 60);
    });

    it('keep a hash per room under the prefix that expires with the log', async () => {
      const positions = new RedisReadPositions(client, `${redis.prefix}:keys`, { bound: 4, maxAge: 60_000 });
      await positions.move('design', 'u:ada', 7, { id: 'p1', name: 'Ada', addr: '' });
      const key = `${redis.prefix}:keys:reads:design`;
      const stored = JSON.parse((await client.hGet(key, 'u:ada'))!) as { offset: number; peer: { name: string } };
      assert.deepEqual([stored.offset, stored.peer.name], [7, 'Ada']);
      const ttl = await client.pTTL(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `expires within the log's age (pttl ${ttl})`);
      await client.hSet(key, 'junk', 'not json');
      assert.equal((await positions.readers('design', 1, 'nobody', 10)).count, 1, 'a value that is not a position is skipped');
    });
  });
});
