import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { Sessions, type SessionLine } from '../../src/server/sessions.js';
import { relayFixture } from '../support/relay-fixture.js';
import { startRelayProcess } from '../support/relay-process.js';
import { startRedis } from '../support/redis-server.js';
import { TestClient, type ClientOptions } from '../support/test-client.js';
import { hs256, hs256Exactly, jwksProvider, nowSeconds, SECRET, unsigned } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

const withToken = (token: string) => ({ query: `token=${encodeURIComponent(token)}` });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
/** The name of a user whose identity has no usable name. */
const GUEST = /^guest-[A-Za-z0-9_-]{6}$/;

type Peer = { id: string; name: string; addr: string };
/** Every peer name a client was shown: rosters, joins and leaves, senders. */
function namesSeen(client: TestClient): string[] {
  const names: string[] = [];
  for (const frame of client.frames) {
    if (frame.type === 'welcome') names.push(...(frame.roster as Peer[]).map((peer) => peer.name));
    if (frame.type === 'join' || frame.type === 'leave') names.push((frame.peer as Peer).name);
    if (frame.type === 'message') names.push((frame.from as Peer).name);
  }
  return names;
}

describe('relay authentication', () => {
  const fixture = relayFixture();

  it('takes the identity from a valid HS256 token: the name is the token’s, whatever hello asks for', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const ada = await fixture.client(relay, { name: 'Mallory', ...withToken(await hs256({ sub: 'u-ada', name: 'Ada Lovelace' })) });
    assert.equal(ada.self.name, 'Ada Lovelace', 'hello.name is ignored with authentication');
    const bob = await fixture.client(relay, withToken(await hs256({ sub: 'u-bob' })));
    assert.match(bob.self.name, GUEST, 'without a name claim the name is a guest name, never the subject');
    const cy = await fixture.client(relay, withToken(await hs256({ sub: 'u-cy', preferred_username: 'cy' })));
    assert.equal(cy.self.name, 'cy');
    const rlo = await fixture.client(relay, withToken(await hs256({ sub: 'u-eve', name: 'Eve\u202e\u200b evil' })));
    assert.equal(rlo.self.name, 'Eve evil', 'names from tokens are cleaned like any other');
    ada.send({ type: 'send', id: 'm1', data: 'hi' });
    const message = await bob.next((f) => f.type === 'message');
    assert.equal((message.from as { name: string }).name, 'Ada Lovelace');
  });

  it('also takes the token from an Authorization: Bearer header', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const client = await fixture.client(relay, { headers: { authorization: `Bearer ${await hs256({ sub: 'u1', name: 'Header' })}` } });
    assert.equal(client.self.name, 'Header');
  });

  it('refuses a missing, forged, foreign or expired token with 4401 before reading anything; others carry on', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET, jwtIssuer: 'https://id.example', jwtAudience: 'chat' });
    const good = await fixture.client(relay, withToken(await hs256({ sub: 'u1', iss: 'https://id.example', aud: 'chat' })));
    const cases: Array<[string, { query?: string; dialect?: 'legacy' }, string]> = [
      ['no token', {}, 'unauthorized'],
      ['no token, legacy client', { dialect: 'legacy' }, 'unauthorized'],
      ['garbage', withToken('not.a.jwt'), 'unauthorized'],
      ['alg none', withToken(unsigned({ sub: 'u1', iss: 'https://id.example', aud: 'chat' })), 'unauthorized'],
      ['other secret', withToken(await hs256({ sub: 'u1', iss: 'https://id.example', aud: 'chat' }, { secret: 'x'.repeat(40) })), 'unauthorized'],
      ['wrong issuer', withToken(await hs256({ sub: 'u1', iss: 'https://evil.example', aud: 'chat' })), 'unauthorized'],
      ['wrong audience', withToken(await hs256({ sub: 'u1', iss: 'https://id.example', aud: 'other' })), 'unauthorized'],
      ['no subject', withToken(await hs256({ name: 'nobody', iss: 'https://id.example', aud: 'chat' })), 'unauthorized'],
      ['expired', withToken(await hs256({ sub: 'u1', iss: 'https://id.example', aud: 'chat' }, { ttl: -120 })), 'token_expired'],
    ];
    for (const [label, options, reason] of cases) {
      const client = fixture.raw(relay, options);
      client.socket.once('open', () => client.send({ type: 'hello', name: 'intruder' }));
      assert.deepEqual(await client.closed(), { code: 4401, reason }, label);
      assert.deepEqual(client.frames, [], `${label}: no frame reaches a refused client`);
    }
    assert.equal(relay.online, 1, 'nobody refused got online');
    good.send({ type: 'ping', t: 1 });
    await good.next((f) => f.type === 'pong');
    assert.equal(good.ofType('join').length, 0, 'the others never saw a refused client');
  });

  it('a legacy client gets its name from the token and cannot rename itself', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const v1 = await fixture.client(relay, withToken(await hs256({ sub: 'u-v1', name: 'Modern' })));
    const old = await fixture.client(relay, {
      dialect: 'legacy',
      query: `userName=Admin&token=${await hs256({ sub: 'u-old', name: 'Oldie' })}`,
    });
    const join = await v1.next((f) => f.type === 'join');
    assert.equal((join.peer as { name: string }).name, 'Oldie');
    old.send({ userName: 'Admin', data: 'I am the admin now' });
    const message = await v1.next((f) => f.type === 'message');
    assert.equal((message.from as { name: string }).name, 'Oldie');
  });

  it('a session is its user’s: another user’s token cannot resume it, the same user’s can', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const ada = await fixture.client(relay, withToken(await hs256({ sub: 'u-ada', name: 'Ada' })));
    const { session, epoch, offset } = ada.welcome as { session: string; epoch: string; offset: number };
    ada.close();
    await waitFor(() => relay.online === 0, 'Ada away');

    const thief = fixture.raw(relay, withToken(await hs256({ sub: 'u-mallory', name: 'Mallory' })));
    thief.socket.once('open', () => thief.send({ type: 'hello', resume: { session, epoch, offset } }));
    const stolen = await thief.next((f) => f.type === 'welcome');
    assert.equal(stolen.resumed, false, 'another user starts a session of their own');
    assert.equal(stolen.gap, true);
    assert.notEqual((stolen.self as { id: string }).id, ada.self.id);
    assert.equal((stolen.self as { name: string }).name, 'Mallory');

    const back = fixture.raw(relay, withToken(await hs256({ sub: 'u-ada', name: 'Ada' })));
    back.socket.once('open', () => back.send({ type: 'hello', resume: { session, epoch, offset } }));
    const resumed = await back.next((f) => f.type === 'welcome');
    assert.equal(resumed.resumed, true);
    assert.equal((resumed.self as { id: string }).id, ada.self.id);
  });

  it('a session’s user goes with it to the other nodes of a cluster, and to a node that joins later', () => {
    const lines: SessionLine[] = [];
    const here = new Sessions({ ttl: 60_000, node: 'a', sink: (line) => lines.push(line) });
    const { token } = here.create({ id: 'p1', name: 'Ada', addr: '' }, 0, 'u-ada');
    const there = new Sessions({ ttl: 60_000, node: 'b' });
    for (const line of lines) there.apply(line);
    assert.equal(there.find(token)?.user, 'u-ada');
    const later = new Sessions({ ttl: 60_000, node: 'c' });
    for (const line of here.snapshot()) later.apply(line);
    assert.equal(later.find(token)?.user, 'u-ada');
  });

  it('verifies tokens against a JWKS (ES256); an unknown key is 4401, an unreachable JWKS 1013 auth_unavailable', async () => {
    const provider = await jwksProvider();
    try {
      const relay = await fixture.relay({ jwksUrl: provider.url });
      const ada = await fixture.client(relay, withToken(await provider.sign({ sub: 'u-ada', name: 'Ada' })));
      assert.equal(ada.self.name, 'Ada');
      const other = await jwksProvider();
      const forged = fixture.raw(relay, withToken(await other.sign({ sub: 'u-ada', name: 'Ada' })));
      assert.deepEqual(await forged.closed(), { code: 4401, reason: 'unauthorized' });
      await other.stop();
      const hs = fixture.raw(relay, withToken(await hs256({ sub: 'u-ada' })));
      assert.deepEqual(await hs.closed(), { code: 4401, reason: 'unauthorized' }, 'a JWKS relay takes no HS256 token');
      assert.equal(provider.fetches, 1, 'the key set is fetched once and cached');
    } finally {
      await provider.stop();
    }
    const down = await fixture.relay({ jwksUrl: provider.url });
    const client = fixture.raw(down, withToken(await provider.sign({ sub: 'u-ada' })));
    assert.deepEqual(await client.closed(), { code: 1013, reason: 'auth_unavailable' });
  });

  it('takes a custom authenticate(request) hook: identity, refusal, failure and timeout', async () => {
    const authenticate = async (request: IncomingMessage) => {
      const cookie = request.headers.cookie ?? '';
      if (cookie.includes('sid=throws')) throw new Error('session store down');
      if (cookie.includes('sid=hangs')) return new Promise<never>(() => {});
      const match = /sid=(\w+)/.exec(cookie);
      return match ? { userId: `user-${match[1]}`, name: match[1] } : null;
    };
    const relay = await fixture.relay({ authenticate, authTimeout: 300 });
    const ada = await fixture.client(relay, { headers: { cookie: 'sid=ada' } });
    assert.equal(ada.self.name, 'ada');
    assert.deepEqual(await fixture.raw(relay, { headers: { cookie: 'x=1' } }).closed(), { code: 4401, reason: 'unauthorized' });
    assert.deepEqual(await fixture.raw(relay, { headers: { cookie: 'sid=throws' } }).closed(), { code: 1013, reason: 'auth_unavailable' });
    assert.deepEqual(await fixture.raw(relay, { headers: { cookie: 'sid=hangs' } }).closed(), { code: 1013, reason: 'auth_unavailable' });
  });

  it('never writes the token, or the URL that carries it, to its log', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', jwtSecret: SECRET, logger: pino({ level: 'debug' }, sink) });
    try {
      const token = await hs256({ sub: 'u-log', name: 'Logged' });
      const client = await fixture.client(relay, withToken(token));
      const expired = await hs256({ sub: 'u-log' }, { ttl: -120 });
      await fixture.raw(relay, withToken(expired)).closed();
      client.close();
      await waitFor(() => logged.includes('"event":"disconnect"') && logged.includes('refused at admission'), 'connect, refusal and disconnect logged');
      assert.ok(logged.includes('"user":"u-log"'), 'the log says who connected');
      for (const secret of [token, expired, token.split('.')[2]!, 'token=']) assert.equal(logged.includes(secret), false, `the log holds ${secret.slice(0, 12)}…`);
    } finally {
      await relay.close();
    }
  });

  it('refuses options that cannot work, naming the problem', async () => {
    await assert.rejects(createRelayServer({ port: 0, jwtSecret: 'short' }), /jwtSecret must be at least 32 bytes/);
    await assert.rejects(createRelayServer({ port: 0, jwtSecret: SECRET, jwksUrl: 'https://id.example/jwks' }), /one of `jwtSecret`, `jwksUrl` or `authenticate`/);
    await assert.rejects(createRelayServer({ port: 0, jwksUrl: 'id.example/jwks' }), /jwksUrl must be an absolute URL/);
    await assert.rejects(createRelayServer({ port: 0, jwtAudience: 'chat' }), /need `jwtSecret` or `jwksUrl`/);
    await assert.rejects(createRelayServer({ port: 0, allowOrigins: ['https://app.example/path'] }), /allowOrigins: "https:\/\/app.example\/path" is not an origin/);
  });
});

describe('identity that never shows a user id', () => {
  const fixture = relayFixture();
  // Distinctive subjects, so finding one in a frame cannot be chance.
  const SUB = 'employee-4711@corp.example';

  it('a token without a usable name gets a neutral guest name, the same on every connection of that user; no peer sees the subject', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const ada = await fixture.client(relay, withToken(await hs256({ sub: 'u-ada', name: 'Ada' })));
    const s3 = await fixture.client(relay, withToken(await hs256({ sub: 's3' })));
    const tab1 = await fixture.client(relay, withToken(await hs256({ sub: SUB })));
    const tab2 = await fixture.client(relay, bearer(await hs256({ sub: SUB, name: ' \u200b ' })));
    const tab3 = await fixture.client(relay, withToken(await hs256({ sub: SUB, name: 42, preferred_username: '\u202e' })));
    const legacy = await fixture.client(relay, { dialect: 'legacy', query: `token=${await hs256({ sub: SUB })}` });
    assert.match(s3.self.name, GUEST);
    assert.match(tab1.self.name, GUEST);
    assert.equal(tab2.self.name, tab1.self.name, 'one user, one name: a blank name claim counts as none');
    assert.equal(tab3.self.name, tab1.self.name, 'a name claim that is not a string, or is invisible, counts as none');
    assert.notEqual(s3.self.name, tab1.self.name, 'two users, two names');

    tab1.send({ type: 'send', id: 'm1', data: 'from a tab' });
    legacy.send({ data: 'from a legacy client' });
    s3.send({ type: 'send', id: 'm2', data: 'from s3' });
    await waitFor(() => ada.ofType('message').length === 3, 'Ada gets the three messages');
    const seen = namesSeen(ada);
    assert.ok(seen.includes(tab1.self.name) && seen.includes(s3.self.name));
    assert.equal(seen.includes('s3'), false, 'the subject s3 was shown as a name');
    assert.equal(JSON.stringify(ada.frames).includes(SUB), false, 'a subject reached a peer');
    const legacySender = ada.ofType('message').find((message) => message.data === 'from a legacy client')!;
    assert.equal((legacySender.from as Peer).name, tab1.self.name, 'a legacy connection of the user has the same name');
  });

  it('the names are stable across restarts and nodes with the same jwtSecret, and differ with another secret', async () => {
    const nameWith = async (secret: string) => {
      const relay = await fixture.relay({ jwtSecret: secret });
      return (await fixture.client(relay, withToken(await hs256({ sub: SUB }, { secret })))).self.name;
    };
    const first = await nameWith(SECRET);
    assert.equal(await nameWith(SECRET), first);
    const other = await nameWith('another-secret-that-is-long-enough-for-hs256');
    assert.notEqual(other, first, 'the name is keyed: it cannot be computed from the subject alone');
  });

  it('the same for an authenticate() hook that returns no name', async () => {
    // A hook written in plain JavaScript may hand back a name that is not a string: it counts as none.
    const authenticate = (request: IncomingMessage) => ({
      userId: String(request.headers['x-user']),
      name: request.headers['x-name'] === '42' ? (42 as unknown as string) : undefined,
    });
    const relay = await fixture.relay({ authenticate });
    const ada = await fixture.client(relay, { headers: { 'x-user': SUB }, name: 'asks for a name' });
    const bob = await fixture.client(relay, { headers: { 'x-user': 'u-bob' } });
    const again = await fixture.client(relay, { headers: { 'x-user': SUB, 'x-name': '42' } });
    assert.match(ada.self.name, GUEST, 'hello.name is ignored with authentication, and the user id is not shown');
    assert.equal(again.self.name, ada.self.name);
    await waitFor(() => bob.ofType('join').length + (bob.welcome.roster as Peer[]).length >= 2, 'Bob sees Ada');
    assert.equal(JSON.stringify(bob.frames).includes(SUB), false);
  });

  it('in a cluster, peers on another node see the guest name, never the subject, which travels only between nodes', async () => {
    const redis = await startRedis();
    try {
      const options = { jwtSecret: SECRET, redis: redis.url, redisPrefix: redis.prefix };
      const [a, b] = [await fixture.relay(options), await fixture.relay(options)];
      const bob = await fixture.client(b, withToken(await hs256({ sub: 'u-bob', name: 'Bob' })));
      const nameless = await fixture.client(a, withToken(await hs256({ sub: SUB })));
      const joined = await bob.next((frame) => frame.type === 'join');
      assert.equal((joined.peer as Peer).name, nameless.self.name);
      nameless.send({ type: 'send', id: 'c1', data: 'across nodes' });
      await bob.next((frame) => frame.type === 'message');
      const sameUserThere = await fixture.client(b, withToken(await hs256({ sub: SUB })));
      assert.equal(sameUserThere.self.name, nameless.self.name, 'one user, one name on every node');
      assert.equal(JSON.stringify(bob.frames).includes(SUB), false);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await redis.close();
    }
  });
});

describe('token rules', () => {
  const fixture = relayFixture();
  const refusedWith = async (relay: RelayServer, options: ClientOptions) => fixture.raw(relay, options).closed();

  it('refuses a token without exp (4401 unauthorized), unless jwtAllowNoExpiry', async () => {
    const forever = await hs256Exactly({ sub: 'u-ada', name: 'Ada', iat: nowSeconds() });
    const strict = await fixture.relay({ jwtSecret: SECRET });
    assert.deepEqual(await refusedWith(strict, withToken(forever)), { code: 4401, reason: 'unauthorized' });
    const lenient = await fixture.relay({ jwtSecret: SECRET, jwtAllowNoExpiry: true });
    assert.equal((await fixture.client(lenient, withToken(forever))).self.name, 'Ada');
    const expired = await hs256({ sub: 'u-ada' }, { ttl: -120 });
    assert.deepEqual(await refusedWith(lenient, withToken(expired)), { code: 4401, reason: 'token_expired' }, 'an exp that is there still counts');
    await assert.rejects(createRelayServer({ port: 0, jwtAllowNoExpiry: true }), /`jwtAllowNoExpiry` needs `jwtSecret` or `jwksUrl`/);
  });

  it('refuses iat or nbf more than 30 s in the future with 4401 token_not_yet_valid; within that skew they pass', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const now = nowSeconds();
    const token = (claims: object) => hs256Exactly({ sub: 'u-ada', exp: now + 7200, ...claims });
    for (const [label, claims] of [
      ['iat an hour ahead', { iat: now + 3600 }],
      ['nbf an hour ahead', { iat: now, nbf: now + 3600 }],
      ['iat 40 s ahead', { iat: now + 40 }],
    ] as const) {
      assert.deepEqual(await refusedWith(relay, withToken(await token(claims))), { code: 4401, reason: 'token_not_yet_valid' }, label);
    }
    for (const [label, claims] of [
      ['iat 10 s ahead', { iat: now + 10 }],
      ['nbf 10 s ahead', { nbf: now + 10 }],
      ['no iat', {}],
    ] as const) {
      const client = await fixture.client(relay, withToken(await token(claims)));
      assert.match(client.self.name, GUEST, label);
    }
  });

  it('an Authorization header is read if it is Bearer: a Bearer without one token is refused, never passed over for the query token; another scheme is left to whoever uses it', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const good = await hs256({ sub: 'u-ada', name: 'Ada' });
    const query = `token=${good}`;
    for (const header of ['Bearer', 'Bearer ', `Bearer\t${good}`, `Bearer ${good} ${good}`, 'Bearer not a token', `Bearer  ${good},x`]) {
      assert.deepEqual(await refusedWith(relay, { query, headers: { authorization: header } }), { code: 4401, reason: 'unauthorized' }, JSON.stringify(header));
    }
    assert.deepEqual(await refusedWith(relay, { query, headers: { authorization: `Bearer ${await hs256({ sub: 'u-ada' }, { ttl: -120 })}` } }), {
      code: 4401,
      reason: 'token_expired',
    }, 'the header wins over the query');
    const basic = `Basic ${Buffer.from('staging:password').toString('base64')}`;
    const behindBasicAuth = await fixture.client(relay, { query, headers: { authorization: basic } });
    assert.equal(behindBasicAuth.self.name, 'Ada', 'HTTP authentication in front of the relay does not get in the way of ?token=');
    assert.deepEqual(await refusedWith(relay, { headers: { authorization: basic } }), { code: 4401, reason: 'unauthorized' });
    const lowercase = await fixture.client(relay, { headers: { authorization: `bearer ${good}` } });
    assert.equal(lowercase.self.name, 'Ada', 'the scheme is case-insensitive');
  });

  it('the CLI takes --jwt-allow-no-expiry', async () => {
    const relay = await startRelayProcess(['--jwt-secret', SECRET, '--jwt-allow-no-expiry']);
    try {
      const client = await TestClient.connect(relay.url, withToken(await hs256Exactly({ sub: 'u-cli', name: 'Forever' })));
      assert.equal(client.self.name, 'Forever');
      client.close();
    } finally {
      await relay.kill();
    }
  });
});
