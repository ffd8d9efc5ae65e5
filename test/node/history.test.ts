// History over real sockets (PROTOCOL.md §22): a page shows exactly what the
// connection may see, pages go back in order without duplicates, and it
// works from memory, from --data-dir after a restart, and across a cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeServerFrame } from '../../src/protocol/server-frames.js';
import { parseCommandLine, UsageError } from '../../src/server/cli-options.js';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { resolveOptions } from '../../src/server/options.js';
import { relayFixture } from '../support/relay-fixture.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { TestClient, type ClientOptions } from '../support/test-client.js';
import { hs256, SECRET } from '../support/tokens.js';

type Frame = Record<string, unknown>;
type Page = { messages: Frame[]; more: boolean; before?: number };
type Welcome = { session: string; epoch: string; offset: number; self: { id: string }; rooms?: Array<{ room: string }> };

const withToken = async (sub: string, name: string): Promise<ClientOptions> => ({
  query: `token=${encodeURIComponent(await hs256({ sub, name }))}`,
});
const LOAD = { maxMessagesPerSecond: 100_000, burst: 100_000 };

let asked = 0;
/** Sends `history` and waits for its answer (a page or an error). */
async function ask(client: TestClient, request: Frame = {}): Promise<Frame> {
  const id = `h${++asked}`;
  client.send({ type: 'history', id, ...request });
  return client.next((f) => f.id === id && (f.type === 'page' || f.type === 'error'));
}

/** Every page from the newest back, with these limits in turn; the messages of all of them, oldest first. */
async function pageAll(client: TestClient, request: Frame = {}, limits: number[] = [50]): Promise<Frame[]> {
  const all: Frame[] = [];
  let before: number | undefined;
  for (let i = 0; ; i++) {
    const page = (await ask(client, { ...request, limit: limits[i % limits.length], ...(before !== undefined ? { before } : {}) })) as unknown as Page;
    assert.equal((page as unknown as Frame).type, 'page', JSON.stringify(page));
    all.unshift(...page.messages);
    if (!page.more) return all;
    assert.ok(page.before !== undefined && (before === undefined || page.before < before), 'each page goes further back');
    before = page.before;
  }
}

const ids = (messages: Frame[]) => messages.map((m) => m.id);

/** Connects and says this hello (with rooms, resume…), waiting for the welcome. */
async function connectWith(url: string, hello: Frame, options: ClientOptions = {}, track?: TestClient[]): Promise<TestClient> {
  const client = new TestClient(url, options);
  track?.push(client);
  await new Promise((resolve, reject) => {
    client.socket.once('open', resolve);
    client.socket.once('error', reject);
  });
  client.send({ type: 'hello', ...hello });
  await client.next((f) => f.type === 'welcome');
  return client;
}

/** The rooms a welcome says the connection is in (a relay without rooms puts everyone in the lobby). */
const roomsOf = (client: TestClient): string[] => (client.welcome as unknown as Welcome).rooms?.map((r) => r.room) ?? ['lobby'];

/** Sends and waits for the ack; returns its offset. */
async function sent(client: TestClient, frame: Frame): Promise<number> {
  client.send({ type: 'send', ...frame });
  const ack = await client.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === frame.id);
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  return ack.offset as number;
}

/** Enters one more room (a broadcast goes only to a room its sender is in). */
async function enter(client: TestClient, room: string): Promise<void> {
  client.send({ type: 'join', room, id: `join-${room}` });
  const answer = await client.next((f) => f.id === `join-${room}`);
  assert.equal(answer.type, 'joined', JSON.stringify(answer));
}

describe('history', () => {
  const fixture = relayFixture();

  it('shows an authenticated user their broadcasts and private messages on a new connection, and a namesake none of them', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const ada = await fixture.client(relay, await withToken('u-ada', 'Ada'));
    const bob = await fixture.client(relay, await withToken('u-bob', 'Bob'));
    const cy = await fixture.client(relay, await withToken('u-cy', 'Cy'));
    await sent(ada, { id: 'b1', data: 'hello all' });
    await enter(ada, 'elsewhere');
    await sent(ada, { id: 'x1', room: 'elsewhere', data: 'not in the lobby' });
    await sent(ada, { id: 'p-ab', to: { names: ['Bob'] }, data: 'for Bob' });
    await sent(ada, { id: 'p-ac', to: { names: ['Cy'] }, data: 'for Cy' });
    await sent(bob, { id: 'p-ba', to: { names: ['Ada'] }, data: 'for Ada, from Bob' });
    await sent(cy, { id: 'p-ca', to: { names: ['Ada'] }, data: 'for Ada, from Cy' });
    bob.close();

    const bobAgain = await fixture.client(relay, await withToken('u-bob', 'Bob'));
    assert.notEqual(bobAgain.self.id, bob.self.id, 'a new session');
    const page = (await ask(bobAgain)) as unknown as Page;
    assert.deepEqual(ids(page.messages), ['b1', 'p-ab', 'p-ba']);
    assert.equal(page.more, false);
    assert.deepEqual(decodeServerFrame(JSON.stringify(page)), { ok: true, frame: page }, "what the client's decoder reads");
    const [broadcast, toBob] = page.messages as [Frame, Frame];
    assert.deepEqual(broadcast, {
      type: 'message',
      offset: broadcast.offset,
      id: 'b1',
      from: { ...ada.self, addr: '' },
      room: 'lobby',
      data: 'hello all',
      ts: broadcast.ts,
    });
    assert.deepEqual(toBob.to, { names: ['Bob'] }, 'private messages carry their targets, as live ones do');
    assert.equal(toBob.room, undefined);
    assert.ok(page.messages.every((m) => (m.from as { addr: string }).addr === '' && m.replay === undefined));
    assert.deepEqual(ids(((await ask(bobAgain, { room: 'lobby' })) as unknown as Page).messages), ['b1'], 'one room: its broadcasts only');

    const namesake = await fixture.client(relay, await withToken('u-mallory', 'Bob'));
    assert.equal(namesake.self.name, 'Bob');
    assert.deepEqual(ids(await pageAll(namesake)), ['b1'], "another user named Bob sees none of Bob's private messages");
    assert.deepEqual(ids(await pageAll(ada)), ['b1', 'x1', 'p-ab', 'p-ac', 'p-ba', 'p-ca'], 'Ada is in the other room too');
  });

  it('without authentication, shows private messages to their own session only: a new connection under the same name sees none', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    await sent(ada, { id: 'b1', data: 'hello all' });
    await sent(ada, { id: 'p1', to: { names: ['bob'] }, data: 'for bob' });
    await sent(bob, { id: 'p2', to: { ids: [ada.self.id] }, data: 'for ada' });
    assert.deepEqual(ids(await pageAll(bob)), ['b1', 'p1', 'p2']);

    const impostor = await fixture.client(relay, { name: 'bob' });
    assert.deepEqual(ids(await pageAll(impostor)), ['b1'], 'a name is not an identity');

    const welcome = bob.welcome as unknown as Welcome;
    bob.close();
    const resume = { session: welcome.session, epoch: welcome.epoch, offset: welcome.offset };
    const resumed = await connectWith(relay.url, { name: 'bob', resume });
    try {
      assert.equal(resumed.welcome.resumed, true);
      assert.deepEqual(ids(await pageAll(resumed)), ['b1', 'p1', 'p2'], 'the session itself, resumed, sees its own');
    } finally {
      resumed.close();
    }
  });

  it('pages back in order without duplicates: the pages together are exactly what the model says the reader may see', async () => {
    const sends = fc.array(
      fc.record({
        by: fc.integer({ min: 0, max: 2 }),
        room: fc.constantFrom('lobby', 'side'),
        to: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      }),
      { maxLength: 40 },
    );
    const limits = fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 });
    const readerRooms = fc.constantFrom(['lobby'], ['lobby', 'side'], ['side']);
    await fc.assert(
      fc.asyncProperty(sends, limits, readerRooms, async (plan, pageLimits, rooms) => {
        const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...LOAD });
        const clients: TestClient[] = [];
        try {
          // The others are in both rooms; the reader in those it asks for (a relay without rooms puts everyone in the lobby).
          const reader = await connectWith(relay.url, { name: 'reader', rooms }, {}, clients);
          const others = [
            await connectWith(relay.url, { name: 'one', rooms: ['lobby', 'side'] }, {}, clients),
            await connectWith(relay.url, { name: 'two', rooms: ['lobby', 'side'] }, {}, clients),
          ];
          const everyone = [reader, ...others];
          const expected: string[] = [];
          for (const [i, step] of plan.entries()) {
            const sender = everyone[step.by]!;
            const recipient = step.to !== undefined && step.to !== step.by ? everyone[step.to]! : undefined;
            const id = `m${i}`;
            if (recipient) {
              await sent(sender, { id, to: { ids: [recipient.self.id] }, data: i });
              if (sender === reader || recipient === reader) expected.push(id);
            } else {
              // The reader broadcasts to its own rooms only.
              const room = sender === reader ? roomsOf(reader)[0]! : step.room;
              await sent(sender, { id, room, data: i });
              if (roomsOf(reader).includes(room)) expected.push(id);
            }
          }
          const got = await pageAll(reader, {}, pageLimits);
          assert.deepEqual(ids(got), expected);
          assert.ok(got.every((m, i) => i === 0 || (m.offset as number) > (got[i - 1]!.offset as number)));
        } finally {
          for (const client of clients) client.close();
          await relay.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('examines at most 10,000 log entries per request, and the next request goes on from there', async () => {
    const relay = await fixture.relay({ ...LOAD, logMaxEntries: 20_000 });
    const reader = await fixture.client(relay, { name: 'reader' });
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    const first = await sent(ada, { id: 'old', data: 'before the chatter' });
    for (let i = 0; i < 10_000; i++) ada.send({ type: 'send', id: `c${i}`, to: { ids: [bob.self.id] }, data: i });
    const last = await sent(ada, { id: 'last-private', to: { ids: [bob.self.id] }, data: 'end' });
    const page = (await ask(reader)) as unknown as Page;
    assert.deepEqual(page.messages, []);
    assert.equal(page.more, true);
    assert.equal(page.before, last - 9_999, 'the lowest offset examined');
    const next = (await ask(reader, { before: page.before })) as unknown as Page;
    assert.deepEqual(ids(next.messages), ['old']);
    assert.equal(next.messages[0]!.offset, first);
    assert.equal(next.more, false);
    assert.equal(next.before, undefined, 'no next request to continue from');
  });

  it('keeps a page under half the buffer bound: large messages come a few a page, and none is lost or repeated', async () => {
    const relay = await fixture.relay({ maxBufferedBytes: 100_000 });
    const ada = await fixture.client(relay, { name: 'ada' });
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 8; i++) await sent(ada, { id: `big${i}`, data: big });
    const first = (await ask(ada)) as unknown as Page;
    assert.deepEqual(ids(first.messages), ['big6', 'big7']);
    assert.equal(first.more, true);
    assert.equal(first.before, first.messages[0]!.offset);
    assert.deepEqual(ids(await pageAll(ada)), ['big0', 'big1', 'big2', 'big3', 'big4', 'big5', 'big6', 'big7']);
  });

  it('shows less with roomRetention: a room beyond its newest maxMessages, or older than maxAge; private messages are not affected', async () => {
    const relay = await fixture.relay({ roomRetention: { lobby: { maxMessages: 3 }, '*': { maxAge: 1 } } });
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    await sent(ada, { id: 'p0', to: { ids: [bob.self.id] }, data: 'old and private' });
    for (let i = 1; i <= 5; i++) await sent(ada, { id: `b${i}`, data: i });
    assert.deepEqual(ids(await pageAll(bob, {}, [1])), ['p0', 'b3', 'b4', 'b5']);
    const lobby = (await ask(bob, { room: 'lobby' })) as unknown as Page;
    assert.deepEqual(ids(lobby.messages), ['b3', 'b4', 'b5']);
    assert.equal(lobby.more, false, 'nothing older will be shown');

    const aged = await fixture.relay({ roomRetention: { '*': { maxAge: 300 } } });
    const cy = await fixture.client(aged, { name: 'cy' });
    const dee = await fixture.client(aged, { name: 'dee' });
    await sent(cy, { id: 'old', data: 'soon too old' });
    await sent(cy, { id: 'old-private', to: { ids: [dee.self.id] }, data: 'private' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await sent(cy, { id: 'new', data: 'recent' });
    assert.deepEqual(ids(await pageAll(dee)), ['old-private', 'new']);
  });

  it('refuses bad requests with an error and the request id, and the connection goes on', async () => {
    const relay = await fixture.relay();
    const early = fixture.raw(relay);
    await new Promise((resolve) => early.socket.once('open', resolve));
    early.send({ type: 'history', id: 'too-soon' });
    assert.deepEqual(await early.next((f) => f.type === 'error'), { type: 'error', code: 'hello_required', message: 'send hello first', id: 'too-soon' });

    const ada = await fixture.client(relay, { name: 'ada' });
    assert.deepEqual(await ask(ada, { room: 'staff' }), {
      type: 'error',
      code: 'not_in_room',
      message: 'you are not in the room "staff"; join it first',
      id: `h${asked}`,
      room: 'staff',
    });
    for (const bad of [{ limit: 0 }, { limit: 201 }, { limit: 1.5 }, { before: -1 }, { room: '' }, { room: 'a\u0007b' }, { extra: true }]) {
      const answer = await ask(ada, bad);
      assert.equal(answer.type, 'error', JSON.stringify(bad));
      assert.match(answer.code as string, /^bad_(field|frame)$/, JSON.stringify(bad));
    }
    ada.send({ type: 'history', limit: 5 });
    assert.equal((await ada.next((f) => f.type === 'error' && f.id === undefined)).code, 'bad_field', 'no id');
    ada.send({ type: 'ping', t: 7 });
    await ada.next((f) => f.type === 'pong' && f.t === 7);
    assert.equal(((await ask(ada, { limit: 200 })) as unknown as Page).more, false, 'and it still gets pages');
  });

  it('leaves the legacy dialect as it was: its messages are in the lobby history, and it is never sent a page', async () => {
    const relay = await fixture.relay();
    const old = await fixture.client(relay, { dialect: 'legacy', query: 'userName=oldie' });
    const ada = await fixture.client(relay, { name: 'ada' });
    old.send({ ip: '', userName: 'oldie', data: 'from the old world' });
    await ada.next((f) => f.type === 'message' && f.data === 'from the old world');
    const page = (await ask(ada)) as unknown as Page;
    assert.deepEqual(
      page.messages.map((m) => [m.room, m.data, (m.from as { name: string }).name]),
      [['lobby', 'from the old world', 'oldie']],
    );
    old.send({ type: 'history', id: 'nope' });
    await sent(ada, { id: 'after', data: 'still live' });
    await old.next((f) => (f.data as unknown) === 'still live');
    assert.ok(old.frames.every((f) => f.type !== 'page' && !JSON.stringify(f).includes('"type":"page"')));
    assert.ok(old.frames.some((f) => (f.data as { error?: string } | undefined)?.error !== undefined), 'a v1 frame type is refused, as before');
  });

  it('rejects a roomRetention that is not JSON, or not rules of positive integers, naming the problem', () => {
    assert.throws(
      () => parseCommandLine(['--room-retention', '{lobby: 5}'], {}),
      (error: unknown) => error instanceof UsageError && /--room-retention needs JSON/.test(error.message),
    );
    const parsed = parseCommandLine(['--room-retention', '{"*":{"maxMessages":100}}'], {});
    assert.deepEqual(parsed.options.roomRetention, { '*': { maxMessages: 100 } });
    assert.throws(() => resolveOptions({ port: 0, roomRetention: { lobby: { maxAge: 0 } } }), /roomRetention\["lobby"\]\.maxAge must be a positive integer, got 0/);
    assert.throws(() => resolveOptions({ port: 0, roomRetention: { lobby: { keep: 5 } } as never }), /unknown key "keep"/);
    assert.throws(() => resolveOptions({ port: 0, roomRetention: [] as never }), /roomRetention must be an object/);
  });
});

describe('history after a restart with --data-dir', () => {
  const folders: string[] = [];
  const relays: RelayServer[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("shows the kept messages, with each broadcast's room and each private message's users", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-history-'));
    folders.push(dataDir);
    const options: RelayServerOptions = { port: 0, host: '127.0.0.1', logger: false, dataDir, jwtSecret: SECRET };
    const first = await createRelayServer(options);
    relays.push(first);
    const connect = async (relay: RelayServer, sub: string, name: string) => {
      const client = await TestClient.connect(relay.url, await withToken(sub, name));
      clients.push(client);
      return client;
    };
    const ada = await connect(first, 'u-ada', 'Ada');
    await connect(first, 'u-bob', 'Bob');
    await sent(ada, { id: 'b1', data: 'in the lobby' });
    await enter(ada, 'elsewhere');
    await sent(ada, { id: 'x1', room: 'elsewhere', data: 'not in the lobby' });
    await sent(ada, { id: 'p1', to: { names: ['Bob'] }, data: 'for Bob' });
    await first.close();

    const second = await createRelayServer(options);
    relays.push(second);
    const bob = await connect(second, 'u-bob', 'Bob');
    const page = (await ask(bob)) as unknown as Page;
    assert.deepEqual(
      page.messages.map((m) => [m.id, m.room, m.to]),
      [
        ['b1', 'lobby', undefined],
        ['p1', undefined, { names: ['Bob'] }],
      ],
      'the broadcast to another room stays out (its room was kept), the private one is shown to its user (its users were kept)',
    );
    assert.equal(page.more, false);
    const stranger = await connect(second, 'u-eve', 'Bob');
    assert.deepEqual(ids(await pageAll(stranger)), ['b1']);
  });
});

describe('history in a Redis cluster', () => {
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

  it('shows on one node what was sent on another, skipping the presence and session events in the stream', async () => {
    const node = async () => {
      const relay = await createRelayServer({
        port: 0,
        host: '127.0.0.1',
        logger: false,
        redis: redis.url,
        redisPrefix: `${redis.prefix}h`,
        jwtSecret: SECRET,
      });
      relays.push(relay);
      return relay;
    };
    const [a, b] = [await node(), await node()];
    const connect = async (relay: RelayServer, sub: string, name: string) => {
      const client = await TestClient.connect(relay.url, await withToken(sub, name));
      clients.push(client);
      return client;
    };
    const ada = await connect(a, 'u-ada', 'Ada');
    const bob = await connect(b, 'u-bob', 'Bob');
    await ada.next((f) => f.type === 'join' && (f.peer as { id: string }).id === bob.self.id);
    await sent(ada, { id: 'b1', data: 'on node A' });
    await enter(ada, 'elsewhere');
    await sent(ada, { id: 'x1', room: 'elsewhere', data: 'not in the lobby' });
    await sent(ada, { id: 'p1', to: { names: ['Bob'] }, data: 'for Bob, from node A' });
    await connect(a, 'u-cy', 'Cy');
    await sent(bob, { id: 'p2', to: { names: ['Ada'] }, data: 'for Ada, from node B' });
    bob.close();

    const bobAgain = await connect(b, 'u-bob', 'Bob');
    const page = (await ask(bobAgain)) as unknown as Page;
    assert.deepEqual(ids(page.messages), ['b1', 'p1', 'p2']);
    assert.deepEqual(page.messages[0], {
      type: 'message',
      offset: page.messages[0]!.offset,
      id: 'b1',
      from: { ...ada.self, addr: '' },
      room: 'lobby',
      data: 'on node A',
      ts: page.messages[0]!.ts,
    });
    assert.deepEqual(ids(await pageAll(bobAgain, {}, [1])), ['b1', 'p1', 'p2'], 'one at a time, across the events between them');
    const stranger = await connect(a, 'u-eve', 'Bob');
    assert.deepEqual(ids(await pageAll(stranger)), ['b1']);
  });
});
