import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createRelayServer } from '../../src/server/index.js';
import { Sessions, type SessionLine } from '../../src/server/sessions.js';
import { relayFixture } from '../support/relay-fixture.js';
import { hs256, jwksProvider, SECRET, unsigned } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

const withToken = (token: string) => ({ query: `token=${encodeURIComponent(token)}` });

describe('relay authentication', () => {
  const fixture = relayFixture();

  it('takes the identity from a valid HS256 token: the name is the token’s, whatever hello asks for', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const ada = await fixture.client(relay, { name: 'Mallory', ...withToken(await hs256({ sub: 'u-ada', name: 'Ada Lovelace' })) });
    assert.equal(ada.self.name, 'Ada Lovelace', 'hello.name is ignored with authentication');
    const bob = await fixture.client(relay, withToken(await hs256({ sub: 'u-bob' })));
    assert.equal(bob.self.name, 'u-bob', 'without a name claim the name is the subject');
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
