import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { createRelayServer } from '../../src/server/index.js';
import { relayFixture } from '../support/relay-fixture.js';
import { TestClient } from '../support/test-client.js';

describe('relay lifecycle', () => {
  const fixture = relayFixture();

  it('closes every socket with 1001 on close(), and stops listening', async () => {
    const relay = await createRelayServer({ port: 0, logger: false });
    const a = await TestClient.connect(relay.url, { name: 'a' });
    const b = await TestClient.connect(relay.url, { dialect: 'legacy' });
    const port = relay.port!;
    await relay.close();
    assert.deepEqual(await a.closed(), { code: 1001, reason: 'server_shutdown' });
    assert.equal((await b.closed()).code, 1001);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), /fetch failed/);
  });

  it('attaches to an existing HTTP server on one path, leaving other paths and requests alone', async () => {
    const http = createServer((_, response) => response.end('app'));
    const other = new WebSocketServer({ noServer: true });
    http.on('upgrade', (request, socket, head) => {
      if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.send('other server'));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const relay = await createRelayServer({ server: http, path: '/chat', logger: false });
    try {
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/chat`, { name: 'attached' });
      assert.equal(client.self.name, 'attached');
      const response = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await response.text(), 'app');
      const otherClient = new WebSocket(`ws://127.0.0.1:${port}/other`);
      const greeting = await new Promise((resolve) => otherClient.once('message', (data) => resolve(data.toString())));
      assert.equal(greeting, 'other server');
      otherClient.terminate();
      await relay.close();
      assert.equal((await client.closed()).code, 1001);
      assert.equal(http.listening, true, 'your server is yours to close');
    } finally {
      other.close();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('reports health over HTTP', async () => {
    const relay = await fixture.relay();
    await fixture.client(relay, { name: 'h' });
    const response = await fetch(`http://127.0.0.1:${relay.port}/healthz`);
    const health = (await response.json()) as Record<string, unknown>;
    assert.equal(health.status, 'ok');
    assert.equal(health.online, 1);
    assert.equal(health.epoch, relay.epoch);
  });

  it('validates options up front, naming the conflict', async () => {
    await assert.rejects(createRelayServer({ port: 0, server: createServer() }), /either `port`.*or `server`/);
    await assert.rejects(createRelayServer({}), /give `port`/);
    await assert.rejects(createRelayServer({ port: 0, burst: 0 }), /burst must be a positive integer/);
    await assert.rejects(createRelayServer({ port: 0, maxFrameBytes: 1.5 }), /maxFrameBytes must be a positive integer/);
    await assert.rejects(createRelayServer({ port: 0, path: 'chat' }), /path must start with "\/"/);
  });
});

describe('relay CLI', () => {
  it('starts with flags, logs a JSON line per connect and disconnect, and on SIGTERM closes clients with 1001', async () => {
    // The environment of a production start: not under test, so it logs.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--port', '0', '--host', '127.0.0.1', '--burst', '7'], {
      env: { ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const waitLine = async (event: string) => {
        const deadline = Date.now() + 10_000;
        while (!lines.some((line) => line.event === event)) {
          if (Date.now() > deadline) throw new Error(`no "${event}" log line; got ${JSON.stringify(lines)}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return lines.find((line) => line.event === event)!;
      };
      const listening = await waitLine('listening');
      const client = await TestClient.connect(`ws://127.0.0.1:${listening.port as number}/`, { name: 'cli' });
      assert.equal((client.welcome.limits as { burst: number }).burst, 7);
      await waitLine('connect');
      child.kill('SIGTERM');
      assert.equal((await client.closed()).code, 1001);
      assert.equal(await exited, 0);
      const disconnect = await waitLine('disconnect');
      assert.equal(disconnect.code, 1001);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad flag with a message and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--port needs a whole number/);
  });
});
