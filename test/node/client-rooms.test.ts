// Model-based test (fast-check) of what a client keeps of its rooms: random
// welcomes, joins, leaves, notices and presence batches, checked against a
// model of who the relay said is in each room.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { ChatRequestError } from '../../src/client/requests.js';
import { Rooms } from '../../src/client/rooms.js';
import type { Peer } from '../../src/client/types.js';
import { startOriginalServer } from '../support/original-server.js';
import { waitFor } from '../support/wait.js';

const peer = (n: number): Peer => ({ id: `p${n}`, name: `P${n}`, addr: '' });
const ROOMS = ['lobby', 'dev', 'big'];

type Op =
  | { kind: 'join' | 'leave'; room: number; who: number }
  | { kind: 'batch'; room: number; joined: number[]; left: number[] }
  | { kind: 'entered' | 'exited'; room: number };

const who = fc.integer({ min: 0, max: 30 });
const room = fc.integer({ min: 0, max: ROOMS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), room, who }),
  fc.record({ kind: fc.constant('batch' as const), room, joined: fc.uniqueArray(who, { maxLength: 8 }), left: fc.uniqueArray(who, { maxLength: 8 }) }),
  fc.record({ kind: fc.constantFrom('entered' as const, 'exited' as const), room }),
);

describe('Rooms: what a client keeps of its rooms', () => {
  it('a small room holds exactly who the notices say; a partial one at most 100, the latest joined first; the union holds each peer once', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const rooms = new Rooms();
        rooms.reset([{ room: 'lobby', count: 0, roster: [] }]);
        /** Per room the model: members (for small rooms), and whether it went partial. */
        const model = new Map<string, { members: Set<string>; partial: boolean }>([['lobby', { members: new Set(), partial: false }]]);
        for (const step of ops) {
          const name = ROOMS[step.room]!;
          const state = model.get(name);
          if (step.kind === 'entered') {
            rooms.entered({ room: name, count: 0, roster: [] });
            model.set(name, { members: new Set(), partial: false });
          } else if (step.kind === 'exited') {
            rooms.left(name);
            model.delete(name);
          } else if (step.kind === 'batch') {
            if (!state) continue;
            const left = new Set(step.left.map((n) => `p${n}`));
            for (const n of step.joined) if (!left.has(`p${n}`)) state.members.add(`p${n}`);
            for (const id of left) state.members.delete(id);
            state.partial = true;
            rooms.batch({ type: 'presence', room: name, count: state.members.size + 1000, joined: step.joined.map(peer), left: step.left.map(peer) });
            const roster = rooms.states.get(name)!.roster;
            assert.ok(roster.length <= 100);
            const fresh = step.joined.filter((n) => !left.has(`p${n}`)).reverse();
            assert.deepEqual(roster.slice(0, fresh.length).map((p) => p.id), fresh.map((n) => `p${n}`), 'the latest joined come first');
            assert.ok(roster.every((p) => !left.has(p.id)), 'those who left are gone');
          } else {
            if (!state || !('who' in step)) continue;
            if (step.kind === 'join') state.members.add(`p${step.who}`);
            else state.members.delete(`p${step.who}`);
            rooms.notice(step.kind, peer(step.who), state.members.size + (state.partial ? 1000 : 0), name);
          }
        }
        assert.deepEqual([...rooms.states.keys()].sort(), [...model.keys()].sort());
        for (const [name, { members, partial }] of model) {
          const state = rooms.states.get(name)!;
          const ids = state.roster.map((p) => p.id);
          assert.equal(new Set(ids).size, ids.length, `${name}: each member once`);
          if (!partial) assert.deepEqual(new Set(ids), members, `${name}: exactly its members`);
          else assert.ok(ids.every((id) => members.has(id)), `${name}: only members`);
          assert.equal(state.partial ?? false, partial && state.roster.length < state.count);
        }
        const union = rooms.roster.map((p) => p.id);
        assert.equal(new Set(union).size, union.length, 'the union holds each peer once');
        assert.deepEqual(new Set(union), new Set([...rooms.states.values()].flatMap((state) => state.roster.map((p) => p.id))));
      }),
    );
  });
});

describe('ChatClient: rooms and history in the legacy format', () => {
  const stops: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('rejects join, leave, search and loadOlder with a clear error, and loads no history', async () => {
    const server = await startOriginalServer();
    stops.push(server.close);
    const client = new ChatClient({ url: server.url, protocol: 'legacy', name: 'ada', WebSocket: WebSocket as never, history: 50 });
    stops.push(() => client.close());
    let histories = 0;
    client.on('history', () => histories++);
    client.connect();
    await waitFor(() => client.status === 'online', 'online');
    for (const attempt of [client.join('dev'), client.leave('lobby'), client.search('lobby', 'a'), client.loadOlder()]) {
      await assert.rejects(attempt, (error: unknown) => error instanceof ChatRequestError && error.code === 'unsupported' && /protocol v1/.test(error.message));
    }
    assert.equal(client.rooms.size, 0);
    assert.equal(histories, 0);
  });
});
