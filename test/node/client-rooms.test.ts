// Model-based test (fast-check) of what a client keeps of its rooms: random
// welcomes, joins, leaves, notices and presence batches, checked against a
// model of who the relay said is in each room.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { ChatClient, type ChatClientOptions } from '../../src/client/chat-client.js';
import { ChatRequestError } from '../../src/client/requests.js';
import { Rooms } from '../../src/client/rooms.js';
import type { ChatMessage, Peer } from '../../src/client/types.js';
import type { RelayServerOptions } from '../../src/server/index.js';
import { startOriginalServer } from '../support/original-server.js';
import { chatClients } from '../support/chat-clients.js';
import { relayFixture } from '../support/relay-fixture.js';
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

describe('ChatClient: rooms on a relay', () => {
  const connect = chatClients({ history: 0 });
  const fixture = relayFixture();
  const relay = (options: Partial<RelayServerOptions> = {}) => fixture.relay(options);
  const client = async (url: string, options: Partial<ChatClientOptions>) => {
    const created = connect(url, options);
    await waitFor(() => created.status === 'online', `${options.name} online`);
    return created;
  };
  const names = (client: ChatClient, room: string) => client.rooms.get(room)?.roster.map((peer) => peer.name).sort();

  it('is in the rooms it asked for, sends to the one it names, and hears only its rooms', async () => {
    const server = await relay();
    const ada = await client(server.url, { name: 'ada', rooms: ['dev', 'ops'] });
    const dev = await client(server.url, { name: 'dev-only', rooms: ['dev'] });
    const ops = await client(server.url, { name: 'ops-only', rooms: ['ops'] });
    assert.deepEqual([...ada.rooms.keys()], ['dev', 'ops']);
    await waitFor(() => names(ada, 'dev')?.join() === 'ada,dev-only' && names(ada, 'ops')?.join() === 'ada,ops-only', 'both rooms filled in from notices');
    const heard = { dev: [] as ChatMessage[], ops: [] as ChatMessage[] };
    dev.on('message', (message) => heard.dev.push(message));
    ops.on('message', (message) => heard.ops.push(message));
    ada.send('to ops', undefined, 'ops');
    ada.send('to the first room');
    await waitFor(() => heard.ops.length === 1 && heard.dev.length === 1, 'each room its message');
    assert.deepEqual(heard.ops.map(({ text, room }) => [text, room]), [['to ops', 'ops']]);
    assert.deepEqual(heard.dev.map(({ text, room }) => [text, room]), [['to the first room', 'dev']]);
  });

  it('joins and leaves, keeps the rooms across a reconnect, and is refused a room plainly', async () => {
    const server = await relay({ authorize: ({ room }: { room: string }) => room !== 'vault' });
    const ada = await client(server.url, { name: 'ada' });
    const bob = await client(server.url, { name: 'bob', rooms: ['design'] });
    assert.deepEqual([...ada.rooms.keys()], ['lobby']);
    const design = await ada.join('design');
    assert.deepEqual(design.roster.map((peer) => peer.name).sort(), ['ada', 'bob']);
    assert.equal(design.count, 2);
    await assert.rejects(ada.join('vault'), (error: unknown) => error instanceof ChatRequestError && error.code === 'room_forbidden');
    await ada.leave('lobby');
    assert.deepEqual([...ada.rooms.keys()], ['design']);
    await ada.leave('nowhere');
    // The link drops: the hello asks for the rooms it is in now.
    server.drop({ name: 'ada' });
    await waitFor(() => ada.status !== 'online', 'dropped');
    await waitFor(() => ada.status === 'online', 'back');
    assert.deepEqual([...ada.rooms.keys()], ['design']);
    bob.close();
    await waitFor(() => names(ada, 'design')?.join() === 'ada', 'bob left design');
  });

  it('in a large room: partial, counts from batches, finds members by search', async () => {
    const server = await relay({ presenceThreshold: 3, presenceRosterSize: 2, presenceInterval: 100 });
    for (const name of ['m1', 'm2', 'm3', 'm4']) await client(server.url, { name, rooms: ['town'] });
    const ada = await client(server.url, { name: 'ada', rooms: ['town'] });
    const town = () => ada.rooms.get('town')!;
    assert.equal(town().partial, true);
    assert.equal(town().count, 5);
    assert.ok(town().roster.length <= 2);
    await client(server.url, { name: 'm5', rooms: ['town'] });
    await waitFor(() => town().count === 6, 'the batch counted m5');
    assert.ok(town().roster.some((peer) => peer.name === 'm5'), 'the newest first');
    const found = await ada.search('town', 'M');
    assert.equal(found.count, 6);
    assert.deepEqual(found.peers.map((peer) => peer.name).sort(), ['m1', 'm2', 'm3', 'm4', 'm5']);
    await assert.rejects(ada.search('elsewhere', 'm'), (error: unknown) => error instanceof ChatRequestError && error.code === 'not_in_room');
  });
});
