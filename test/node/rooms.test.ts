// Rooms on one relay, over real sockets: who hears which broadcasts and which
// presence, the join/leave/who frames, room authorisation, and a large room's
// summarised presence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoomRequest } from '../../src/server/index.js';
import { relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';
import { hs256, SECRET } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };
type RoomState = { room: string; count: number; roster: Peer[]; partial?: boolean };

const names = (peers: unknown) => (peers as Peer[]).map((peer) => peer.name).sort();
const withToken = (token: string) => ({ query: `token=${encodeURIComponent(token)}` });

/** Sends a broadcast to `room` and waits for its ack; returns the ack. */
async function broadcast(client: TestClient, id: string, room?: string) {
  client.send({ type: 'send', id, ...(room !== undefined ? { room } : {}), data: id });
  return client.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
}

/** A frame every client then gets, after everything sent before it: a barrier in the room. */
async function settle(sender: TestClient, room: string, receivers: TestClient[]) {
  const id = `barrier-${Math.random().toString(36).slice(2)}`;
  await broadcast(sender, id, room);
  for (const receiver of receivers) await receiver.next((f) => f.id === id);
}

describe('rooms on one relay', () => {
  const fixture = relayFixture();

  it('welcomes with every room entered, the first one at the top level; [] is no room; absent is the lobby', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['a', 'b'] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['b'] });
    const lobby = await fixture.client(relay, { name: 'lou' });
    const none = await fixture.client(relay, { name: 'nemo', rooms: [] });
    assert.deepEqual((ada.welcome.rooms as RoomState[]).map((r) => [r.room, r.count]), [['a', 1], ['b', 1]]);
    assert.deepEqual(ada.welcome.roster, [ada.self]);
    const bobRooms = bob.welcome.rooms as RoomState[];
    assert.deepEqual(bobRooms.map((r) => [r.room, r.count, names(r.roster)]), [['b', 2, ['ada', 'bob']]]);
    assert.equal(bob.welcome.count, 2);
    assert.deepEqual(names(bob.welcome.roster), ['ada', 'bob']);
    assert.deepEqual((lobby.welcome.rooms as RoomState[]).map((r) => r.room), ['lobby']);
    assert.deepEqual(names(lobby.welcome.roster), ['lou'], 'the lobby is a room like any other');
    assert.deepEqual(none.welcome.rooms, []);
    assert.deepEqual(none.welcome.roster, []);
    assert.equal(none.welcome.count, 0);

    // In no room: no broadcast, but private messages both ways.
    const refused = await broadcast(none, 'nowhere');
    assert.equal(refused.code, 'not_in_room');
    none.send({ type: 'send', id: 'dm', to: { names: ['ada'] }, data: 'psst' });
    assert.equal((await none.next((f) => f.type === 'ack' && f.id === 'dm')).recipients, 1);
    assert.equal((await ada.next((f) => f.id === 'dm')).data, 'psst');
    ada.send({ type: 'send', id: 'dm-back', to: { ids: [none.self.id] }, data: 'hi' });
    assert.equal((await none.next((f) => f.id === 'dm-back')).data, 'hi');
  });

  it('sends a broadcast to one room only, and tells presence only to the room', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['a'] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['b'] });
    const cy = await fixture.client(relay, { name: 'cy', rooms: ['a', 'b'] });
    const lou = await fixture.client(relay, { name: 'lou' });

    const toA = await broadcast(cy, 'to-a', 'a');
    assert.equal(toA.recipients, 1, 'ada, the one other member of a');
    const toFirst = await broadcast(cy, 'to-first');
    assert.equal(toFirst.recipients, 1, 'without room: the first room, a');
    const toB = await broadcast(cy, 'to-b', 'b');
    assert.equal(toB.recipients, 1);
    const notMine = await broadcast(ada, 'not-mine', 'b');
    assert.deepEqual([notMine.code, notMine.room], ['not_in_room', 'b']);
    ada.send({ type: 'send', id: 'both', room: 'a', to: { names: ['cy'] }, data: 'x' });
    assert.equal((await ada.next((f) => f.type === 'error' && f.id === 'both')).code, 'bad_field');
    await settle(cy, 'a', [ada]);
    await settle(cy, 'b', [bob]);
    await settle(lou, 'lobby', []);

    const messages = (client: TestClient) => client.ofType('message').map((f) => [f.id, f.room]);
    assert.deepEqual(messages(ada).filter(([id]) => !String(id).startsWith('barrier')), [
      ['to-a', 'a'],
      ['to-first', 'a'],
    ]);
    assert.deepEqual(messages(bob).filter(([id]) => !String(id).startsWith('barrier')), [['to-b', 'b']]);
    assert.deepEqual(lou.ofType('message'), [], 'the lobby hears nothing of a and b');

    // Presence: dee enters b; only b's members hear of it, with b's count.
    const dee = await fixture.client(relay, { name: 'dee', rooms: ['b'] });
    for (const member of [bob, cy]) {
      const notice = await member.next((f) => f.type === 'join' && (f.peer as Peer).name === 'dee');
      assert.deepEqual(notice, { type: 'join', peer: dee.self, count: 3, room: 'b' });
    }
    dee.close();
    await bob.next((f) => f.type === 'leave' && (f.peer as Peer).name === 'dee');
    // cy is in a and b and leaves: a hears it in a, bob in b, each once.
    cy.close();
    const adaLeft = await ada.next((f) => f.type === 'leave' && (f.peer as Peer).name === 'cy');
    assert.deepEqual([adaLeft.room, adaLeft.count], ['a', 1]);
    const bobLeft = await bob.next((f) => f.type === 'leave' && (f.peer as Peer).name === 'cy');
    assert.deepEqual([bobLeft.room, bobLeft.count], ['b', 1]);
    await settle(bob, 'b', []);
    await settle(ada, 'a', []);
    assert.deepEqual(
      ada.ofType('join').concat(ada.ofType('leave')).map((f) => [(f.peer as Peer).name, f.room]),
      [['cy', 'a'], ['cy', 'a']],
      'ada heard of cy in a only, never of dee or bob',
    );
    assert.deepEqual(lou.ofType('join').concat(lou.ofType('leave')), []);
  });

  it('joins and leaves rooms with frames: joined/left answers, notices in that room only, limits', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: [] });
    const bob = await fixture.client(relay, { name: 'bob', rooms: ['x'] });
    const lou = await fixture.client(relay, { name: 'lou' });

    ada.send({ type: 'join', room: 'x', id: 'j1' });
    const joined = await ada.next((f) => f.type === 'joined');
    assert.deepEqual({ ...joined, roster: names(joined.roster) }, { type: 'joined', room: 'x', count: 2, roster: ['ada', 'bob'], id: 'j1' });
    assert.deepEqual(await bob.next((f) => f.type === 'join'), { type: 'join', peer: ada.self, count: 2, room: 'x' });
    ada.send({ type: 'join', room: 'x', id: 'j2' });
    assert.equal((await ada.next((f) => f.type === 'joined' && f.id === 'j2')).count, 2, 'joining again answers again');

    // A send right after a join goes to the room just joined.
    ada.send({ type: 'join', room: 'y' });
    ada.send({ type: 'send', id: 'in-y', room: 'y', data: 'first in y' });
    assert.equal((await ada.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === 'in-y')).type, 'ack');

    ada.send({ type: 'leave', room: 'x', id: 'l1' });
    assert.deepEqual(await ada.next((f) => f.type === 'left'), { type: 'left', room: 'x', id: 'l1' });
    assert.deepEqual(await bob.next((f) => f.type === 'leave'), { type: 'leave', peer: ada.self, count: 1, room: 'x' });
    ada.send({ type: 'leave', room: 'x', id: 'l2' });
    assert.deepEqual(await ada.next((f) => f.type === 'left' && f.id === 'l2'), { type: 'left', room: 'x', id: 'l2' });
    await settle(bob, 'x', []);
    assert.equal(bob.ofType('join').length + bob.ofType('leave').length, 2, 'joining again and leaving twice told nothing more');
    assert.deepEqual(lou.ofType('join').concat(lou.ofType('leave')), [], 'the lobby heard nothing');
    assert.deepEqual((await broadcast(ada, 'after-leave', 'x')).code, 'not_in_room');

    // 16 rooms at most.
    for (let i = 0; i < 15; i++) ada.send({ type: 'join', room: `r${i}`, id: `r${i}` });
    await ada.next((f) => f.type === 'joined' && f.id === 'r14');
    ada.send({ type: 'join', room: 'one-too-many', id: 'over' });
    const over = await ada.next((f) => f.type === 'error' && f.id === 'over');
    assert.deepEqual([over.code, over.room], ['too_many_rooms', 'one-too-many']);

    // Before hello.
    const early = fixture.raw(relay);
    await new Promise((resolve) => early.socket.once('open', resolve));
    early.send({ type: 'join', room: 'x', id: 'early' });
    early.send({ type: 'who', room: 'x', id: 'early-who' });
    assert.equal((await early.next((f) => f.type === 'error' && f.id === 'early')).code, 'hello_required');
    assert.equal((await early.next((f) => f.type === 'error' && f.id === 'early-who')).code, 'hello_required');
    early.send({ type: 'join', room: '', id: 'empty' });
    assert.equal((await early.next((f) => f.type === 'error' && f.id === 'empty')).code, 'bad_field');
  });

  it('finds members with who: by name, case-insensitively, bounded, only in a room it is in', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['club'] });
    for (const name of ['Anna', 'hannah', 'bob', 'JOANNA']) await fixture.client(relay, { name, rooms: ['club'] });
    await fixture.client(relay, { name: 'annabel', rooms: ['elsewhere'] });
    ada.send({ type: 'who', id: 'w1', room: 'club', query: 'ANN' });
    const found = await ada.next((f) => f.type === 'roster' && f.id === 'w1');
    assert.deepEqual([found.room, found.count, names(found.peers)], ['club', 5, ['Anna', 'JOANNA', 'hannah']]);
    ada.send({ type: 'who', id: 'w2', room: 'club', limit: 2 });
    const two = await ada.next((f) => f.type === 'roster' && f.id === 'w2');
    assert.deepEqual(names(two.peers), ['JOANNA', 'bob'], 'the most recently active first');
    ada.send({ type: 'who', id: 'w3', room: 'elsewhere' });
    const refused = await ada.next((f) => f.type === 'error' && f.id === 'w3');
    assert.deepEqual([refused.code, refused.room], ['not_in_room', 'elsewhere']);
  });

  it('lets in only the rooms of a token\'s `rooms` claim, and those the authorize hook allows', async () => {
    const asked: RoomRequest[] = [];
    const relay = await fixture.relay({
      jwtSecret: SECRET,
      authorize: async (request: RoomRequest) => {
        asked.push(request);
        if (request.room === 'boom') throw new Error('the rules service is down');
        if (request.room === 'hang') return new Promise<boolean>(() => undefined);
        return request.room !== 'staff' || request.identity?.userId === 'u-boss';
      },
      authTimeout: 300,
    });
    const token = await hs256({ sub: 'u-ada', name: 'ada', rooms: ['lobby', 'fans', 'staff', 'boom'] });
    const ada = await fixture.client(relay, { rooms: ['fans', 'secret', 'staff', 'lobby'], ...withToken(token) });
    assert.deepEqual((ada.welcome.rooms as RoomState[]).map((r) => r.room), ['fans', 'lobby']);
    const errors = ada.ofType('error');
    assert.deepEqual(
      errors.map((f) => [f.code, f.room]),
      [
        ['room_forbidden', 'secret'],
        ['room_forbidden', 'staff'],
      ],
      'one error per refused room, after the welcome',
    );
    assert.ok(ada.frames.indexOf(errors[0]!) > ada.frames.indexOf(ada.welcome));
    assert.ok(!asked.some((r) => r.room === 'secret'), 'the claim refused it before the hook was asked');
    const fans = asked.find((r) => r.room === 'fans')!;
    assert.deepEqual([fans.identity?.userId, fans.peer.name, fans.addr], ['u-ada', 'ada', '127.0.0.1']);

    for (const [room, id] of [
      ['boom', 'throws'],
      ['hang', 'hangs'],
      ['nope', 'claim'],
    ] as const) {
      ada.send({ type: 'join', room, id });
      const error = await ada.next((f) => f.type === 'error' && f.id === id);
      assert.deepEqual([error.code, error.room], ['room_forbidden', room]);
    }
    ada.send({ type: 'send', id: 'still-here', room: 'fans', data: 'ok' });
    assert.equal((await ada.next((f) => f.id === 'still-here')).type, 'ack', 'the connection survives refusals');

    const boss = await fixture.client(relay, { rooms: ['staff'], ...withToken(await hs256({ sub: 'u-boss', name: 'boss', rooms: ['*'] })) });
    assert.deepEqual((boss.welcome.rooms as RoomState[]).map((r) => r.room), ['staff']);
    const noClaim = await fixture.client(relay, { rooms: ['anything'], ...withToken(await hs256({ sub: 'u-cy' })) });
    assert.deepEqual((noClaim.welcome.rooms as RoomState[]).map((r) => r.room), ['anything'], 'no claim: any room the hook allows');
    const badClaim = await fixture.client(relay, { rooms: ['lobby'], ...withToken(await hs256({ sub: 'u-dee', rooms: 'lobby' })) });
    assert.deepEqual(badClaim.welcome.rooms, [], 'a claim that is not a list allows nothing');
  });

  it('summarises a large room: partial bounded rosters, batched presence frames, no per-peer notices', async () => {
    const relay = await fixture.relay({ presenceThreshold: 5, presenceRosterSize: 3, presenceInterval: 200 });
    const watcher = await fixture.client(relay, { name: 'watcher', rooms: ['big', 'small'] });
    const members: TestClient[] = [];
    for (let i = 0; i < 19; i++) members.push(await fixture.client(relay, { name: `m${i}`, rooms: ['big'] }));
    const last = members.at(-1)!;
    const rooms = last.welcome.rooms as RoomState[];
    assert.equal(rooms[0]!.count, 20);
    assert.equal(rooms[0]!.partial, true);
    assert.deepEqual(rooms[0]!.roster.map((p) => p.name), ['m18', 'm17', 'm16'], 'the most recently active, newest first');
    assert.equal(last.welcome.count, 20);

    // m0 to m3 made the room 2 to 5: told one by one; m4 to m18 made it large: told in batches.
    await waitFor(() => watcher.ofType('presence').reduce((n, f) => n + (f.joined as Peer[]).length, 0) >= 15, 'every join told in batches');
    const joinNotices = watcher.ofType('join').filter((f) => f.room === 'big');
    assert.deepEqual(joinNotices.map((f) => (f.peer as Peer).name), ['m0', 'm1', 'm2', 'm3']);
    const batches = watcher.ofType('presence');
    assert.deepEqual(batches.flatMap((f) => (f.joined as Peer[]).map((p) => p.name)), members.slice(4).map((m) => m.self.name));
    assert.ok(batches.length < 15, `fewer frames than joins (${batches.length})`);
    assert.ok(batches.every((f) => f.room === 'big'));
    assert.equal(batches.at(-1)!.count, 20);

    // Activity: a broadcast moves its sender to the front of the partial roster.
    await broadcast(members[0]!, 'hello-big', 'big');
    watcher.send({ type: 'join', room: 'big', id: 'again' });
    const again = await watcher.next((f) => f.type === 'joined' && f.id === 'again');
    assert.equal((again.roster as Peer[])[0]!.name, 'm0');

    // Joined and left within one interval: in neither list.
    const before = watcher.ofType('presence').length;
    const flash = await fixture.client(relay, { name: 'flash', rooms: ['big'] });
    flash.close();
    members[1]!.close();
    await waitFor(() => watcher.ofType('presence').slice(before).some((f) => (f.left as Peer[]).length > 0), 'the leave batch');
    const told = watcher.ofType('presence').slice(before);
    assert.ok(!told.some((f) => [...(f.joined as Peer[]), ...(f.left as Peer[])].some((p) => p.name === 'flash')), 'flash is in neither');
    assert.equal(told.at(-1)!.count, 19);
    assert.deepEqual(watcher.ofType('join').filter((f) => f.room === 'big').length, 4, 'still no per-peer notice');
    assert.deepEqual(watcher.ofType('leave'), []);
  });

  it('replays on resume only the broadcasts of the session\'s rooms, and enters the hello\'s rooms again', async () => {
    const relay = await fixture.relay();
    const mover = await fixture.client(relay, { name: 'mover', rooms: ['a', 'c'] });
    const sender = await fixture.client(relay, { name: 'sender', rooms: ['a', 'b', 'c'] });
    const welcome = mover.welcome as { session: string; epoch: string; offset: number };
    mover.send({ type: 'leave', room: 'c' });
    await mover.next((f) => f.type === 'left');
    mover.close();
    await sender.next((f) => f.type === 'leave' && (f.peer as Peer).name === 'mover' && f.room === 'a');
    for (const room of ['a', 'b', 'c']) await broadcast(sender, `while-away-${room}`, room);
    sender.send({ type: 'send', id: 'dm', to: { names: ['mover'] }, data: 'private' });
    await sender.next((f) => f.id === 'dm');

    const back = fixture.raw(relay);
    await new Promise((resolve) => back.socket.once('open', resolve));
    back.send({ type: 'hello', resume: { session: welcome.session, epoch: welcome.epoch, offset: welcome.offset }, rooms: ['b'] });
    const resumed = await back.next((f) => f.type === 'welcome');
    assert.equal(resumed.resumed, true);
    assert.deepEqual((resumed.rooms as RoomState[]).map((r) => r.room), ['b']);
    await back.next((f) => f.id === 'dm');
    assert.deepEqual(back.ofType('message').map((f) => f.id), ['while-away-a', 'dm'], 'a (its room while away) and its private message');
    // From now on it is in b: b's broadcasts, not a's.
    await broadcast(sender, 'now-a', 'a');
    await broadcast(sender, 'now-b', 'b');
    await back.next((f) => f.id === 'now-b');
    assert.ok(!back.frames.some((f) => f.id === 'now-a'));
    const moved = sender.ofType('leave').concat(sender.ofType('join')).filter((f) => (f.peer as Peer).name === 'mover');
    await waitFor(() => sender.frames.some((f) => f.type === 'join' && f.room === 'b' && (f.peer as Peer).name === 'mover'), 'mover told in b');
    assert.ok(moved.length >= 1);
  });

  it('keeps the legacy dialect in the lobby: lobby broadcasts only, the lobby\'s count', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada', rooms: ['lobby', 'side'] });
    await fixture.client(relay, { name: 'sid', rooms: ['side'] });
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=old' });
    await ada.next((f) => f.type === 'join' && (f.peer as Peer).name === 'old');
    await broadcast(ada, 'side-only', 'side');
    await broadcast(ada, 'for-lobby', 'lobby');
    const got = await old.next((f) => f.data === 'for-lobby');
    assert.equal(got.count, 2, 'ada and old are in the lobby; sid is not');
    assert.ok(!old.frames.some((f) => f.data === 'side-only'));
    old.send({ type: 'join', room: 'side' });
    const refused = await old.next((f) => typeof f.data === 'object' && f.data !== null && (f.data as { error?: string }).error === 'bad_frame');
    assert.equal(refused.count, 2);
  });
});
