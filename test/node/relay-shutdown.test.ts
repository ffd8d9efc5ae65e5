import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRelayServer } from '../../src/server/index.js';
import { BlackholeProxy } from '../support/blackhole-proxy.js';
import { startRelayProcess } from '../support/relay-process.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { TestClient } from '../support/test-client.js';

/** How long `promise` took to settle, failing after `deadline` ms. */
async function within<T>(deadline: number, label: string, promise: Promise<T>): Promise<number> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: still pending after ${deadline} ms`)), deadline);
    }),
  ]).finally(() => clearTimeout(timer));
  return Date.now() - start;
}

// A Redis that stops answering (frozen behind a proxy that swallows every
// byte) is the shutdown's worst case: leaving the cluster waits for a reply
// that never comes.
describe('shutting down within the grace period', () => {
  let redis: TestRedis;
  const proxies: BlackholeProxy[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await redis.close();
  });

  async function frozenRedisUrl(): Promise<{ url: string; freeze: () => void }> {
    const proxy = new BlackholeProxy(Number(new URL(redis.url).port));
    proxies.push(proxy);
    const port = await proxy.start();
    return { url: `redis://127.0.0.1:${port}`, freeze: () => proxy.freeze() };
  }

  it('close() closes every socket with 1001 and resolves within shutdownGrace, though Redis never answers', async () => {
    const { url, freeze } = await frozenRedisUrl();
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, redis: url, redisPrefix: `${redis.prefix}a`, shutdownGrace: 1500 });
    const client = await TestClient.connect(relay.url, { name: 'Ada' });
    freeze();
    const closing = relay.close();
    assert.deepEqual(await client.closed(3000), { code: 1001, reason: 'server_shutdown' });
    await within(1500 + 3000, 'close()', closing);
  });

  it('SIGINT (like SIGTERM, tested with a stuck log) ends the CLI within --shutdown-grace, though Redis never answers', async () => {
    const { url, freeze } = await frozenRedisUrl();
    const relay = await startRelayProcess(['--redis', url, '--redis-prefix', `${redis.prefix}b`, '--shutdown-grace', '1500']);
    try {
      const client = await TestClient.connect(relay.url, { name: 'Ada' });
      freeze();
      const exited = new Promise<number | null>((resolve) => relay.child.once('exit', (code) => resolve(code)));
      relay.child.kill('SIGINT');
      assert.deepEqual(await client.closed(3000), { code: 1001, reason: 'server_shutdown' });
      await within(1500 + 3000, 'the process', exited);
      assert.equal(await exited, 1, 'the grace period ran out: exit code 1');
    } finally {
      await relay.kill();
    }
  });

  it('refuses a shutdownGrace that is not a positive whole number of ms', async () => {
    await assert.rejects(createRelayServer({ port: 0, shutdownGrace: 0 }), /shutdownGrace must be a positive integer, got 0/);
    await assert.rejects(createRelayServer({ port: 0, shutdownGrace: 1.5 }), /shutdownGrace must be a positive integer/);
  });
});
