// A model of room membership: fast-check drives random joins, leaves and
// closes of a few clients over a few rooms on a real relay, and each client
// must have been told exactly the presence a model of the rooms predicts:
// a notice for every peer entering or leaving a room it was in, with that
// room's count, and nothing of other rooms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';
import { waitFor } from '../support/wait.js';

const ROOMS = ['r0', 'r1', 'r2'];
const CLIENTS = 4;

type Step = { op: 'join' | 'leave'; who: number; room: string } | { op: 'close'; who: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('join' as const, 'leave' as const), who: fc.nat({ max: CLIENTS - 1 }), room: fc.constantFrom(...ROOMS) }),
  { arbitrary: fc.record({ op: fc.constant('close' as const), who: fc.nat({ max: CLIENTS - 1 }) }), weight: 1 },
);

describe('rooms: presence against a model of membership (fast-check)', () => {
  const fixture = relayFixture();

  it('tells each client exactly the joins and leaves of the rooms it is in, with their counts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray(ROOMS), { minLength: CLIENTS, maxLength: CLIENTS }),
        fc.array(step, { maxLength: 14 }),
        async (initial, steps) => {
          const relay = await fixture.relay();
          // The model: each live client's rooms, and the notices each should have had.
          const rooms = new Map<number, Set<string>>();
          const expected = new Map<TestClient, string[]>();
          const clients: Array<TestClient | undefined> = [];
          let generation = 0;
          const members = (room: string) => [...rooms].filter(([, set]) => set.has(room)).map(([i]) => i);
          const tell = (kind: string, subject: number, room: string) => {
            const count = members(room).length;
            for (const i of members(room)) if (i !== subject) expected.get(clients[i]!)!.push(`${kind} ${clients[subject]!.self.name} ${room} ${count}`);
          };
          const open = async (i: number, asked: string[]) => {
            const client = await fixture.client(relay, { name: `c${i}-${generation++}`, rooms: asked });
            clients[i] = client;
            expected.set(client, []);
            rooms.set(i, new Set(asked));
            for (const room of asked) tell('join', i, room);
          };
          // A ping answered means everything written to that client before it has arrived.
          const flush = async (client: TestClient) => {
            const seen = client.frames.length;
            client.send({ type: 'ping', t: 1 });
            await client.next((f) => f.type === 'pong', undefined, seen);
          };
          for (let i = 0; i < CLIENTS; i++) await open(i, initial[i]!);
          for (const s of steps) {
            const client = clients[s.who]!;
            const set = rooms.get(s.who)!;
            if (s.op === 'close') {
              const online = relay.online;
              await flush(client);
              client.close();
              rooms.delete(s.who);
              for (const room of set) {
                const count = members(room).length;
                for (const i of members(room)) expected.get(clients[i]!)!.push(`leave ${client.self.name} ${room} ${count}`);
              }
              await waitFor(() => relay.online === online - 1, 'the close is handled');
              await open(s.who, []);
            } else if (s.op === 'join') {
              const seen = client.frames.length;
              client.send({ type: 'join', room: s.room, id: 'j' });
              await client.next((f) => f.type === 'joined', undefined, seen);
              if (!set.has(s.room)) {
                set.add(s.room);
                tell('join', s.who, s.room);
              }
            } else {
              const seen = client.frames.length;
              client.send({ type: 'leave', room: s.room, id: 'l' });
              await client.next((f) => f.type === 'left', undefined, seen);
              if (set.delete(s.room)) {
                const count = members(s.room).length;
                for (const i of members(s.room)) expected.get(clients[i]!)!.push(`leave ${client.self.name} ${s.room} ${count}`);
              }
            }
          }
          for (const client of clients) await flush(client!);
          for (const [client, notices] of expected) {
            const told = client.frames
              .filter((f) => f.type === 'join' || f.type === 'leave')
              .map((f) => `${f.type} ${(f.peer as { name: string }).name} ${f.room} ${f.count}`);
            assert.deepEqual(told, notices, client.self.name);
          }
          for (const client of clients) client?.close();
          await relay.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});
