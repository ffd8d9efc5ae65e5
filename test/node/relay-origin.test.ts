import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { compileOriginCheck } from '../../src/server/origin.js';
import { relayFixture } from '../support/relay-fixture.js';
import { hs256, SECRET } from '../support/tokens.js';

const page = (origin: string) => ({ headers: { origin } });

describe('relay origin check (cross-site WebSocket hijacking)', () => {
  const fixture = relayFixture();

  it('by default lets in pages from its own host and clients without an Origin; refuses other sites with 4403', async () => {
    const relay = await fixture.relay();
    const own = await fixture.client(relay, { name: 'own', ...page(`http://127.0.0.1:${relay.port}`) });
    const tool = await fixture.client(relay, { name: 'tool' });
    for (const origin of ['https://evil.example', `http://127.0.0.1:${relay.port! + 1}`, `http://localhost:${relay.port}`, 'null', 'not a url']) {
      const visitor = fixture.raw(relay, page(origin));
      visitor.socket.once('open', () => visitor.send({ type: 'hello', name: 'victim' }));
      assert.deepEqual(await visitor.closed(), { code: 4403, reason: 'origin_not_allowed' }, origin);
      assert.deepEqual(visitor.frames, [], `${origin}: nothing was sent to it`);
    }
    assert.equal(relay.online, 2);
    assert.equal(own.ofType('join').length, 1, 'only the tool joined after the page');
    tool.send({ type: 'send', id: 't1', data: 'still here' });
    await own.next((f) => f.id === 't1');
  });

  it('lets in the listed origins, and any page with "*"', async () => {
    const relay = await fixture.relay({ allowOrigins: ['https://App.Example:443', 'http://localhost:8000'] });
    await fixture.client(relay, page('https://app.example'));
    await fixture.client(relay, page('http://localhost:8000'));
    assert.equal((await fixture.raw(relay, page('http://localhost:8001')).closed()).code, 4403);
    assert.equal((await fixture.raw(relay, page('https://app.example.evil.example')).closed()).code, 4403);
    const open = await fixture.relay({ allowOrigins: ['*'] });
    await fixture.client(open, page('https://anywhere.example'));
    await fixture.client(open, page('null'));
  });

  it('checks the origin before the token: a stolen token does not help a foreign page', async () => {
    const relay = await fixture.relay({ jwtSecret: SECRET });
    const token = await hs256({ sub: 'u1' });
    const client = fixture.raw(relay, { ...page('https://evil.example'), query: `token=${token}` });
    assert.deepEqual(await client.closed(), { code: 4403, reason: 'origin_not_allowed' });
  });

  it('compares the Origin with the Host header, default ports included', () => {
    const check = compileOriginCheck(undefined);
    const request = (origin: string | undefined, host: string) => ({ headers: { ...(origin ? { origin } : {}), host } }) as never;
    assert.equal(check(request('https://chat.example', 'chat.example')), true);
    assert.equal(check(request('https://chat.example', 'chat.example:443')), true);
    assert.equal(check(request('http://chat.example', 'chat.example:443')), false);
    assert.equal(check(request('http://[::1]:3001', '[::1]:3001')), true);
    assert.equal(check(request('http://[::1]:3001', '[::1]:3002')), false);
    assert.equal(check(request(undefined, 'chat.example')), true);
    assert.throws(() => compileOriginCheck(['chat.example']), /not an origin/);
    assert.throws(() => compileOriginCheck(['https://*.chat.example']), /not an origin/);
  });

  it('npm start (--demo) lets any page in; the plain CLI only its own', async () => {
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    for (const [args, expected] of [
      [['--demo'], 'open'],
      [[], 4403],
      [['--allow-origin', 'https://a.example', '--allow-origin', 'https://evil.example'], 'open'],
    ] as const) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--port', '0', '--host', '127.0.0.1', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...env, NODE_ENV: 'production' },
      });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const line = out.split('\n').find((l) => l.includes('"listening"'));
            if (line) resolve((JSON.parse(line) as { port: number }).port);
          });
          child.once('exit', (code) => reject(new Error(`exited ${code}`)));
        });
        const socket = new WebSocket(`ws://127.0.0.1:${port}/`, ['message-center.v1'], { headers: { origin: 'https://evil.example' } });
        const outcome = await new Promise<number | 'open'>((resolve) => {
          socket.on('message', () => resolve('open'));
          socket.once('open', () => socket.send(JSON.stringify({ type: 'hello' })));
          socket.once('close', (code) => resolve(code));
          socket.on('error', () => {});
        });
        socket.terminate();
        assert.equal(outcome, expected, args.join(' ') || '(no flags)');
      } finally {
        child.kill('SIGKILL');
      }
    }
  });
});
