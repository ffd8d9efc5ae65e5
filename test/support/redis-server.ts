import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export interface TestRedis {
  readonly url: string;
  /** A key prefix of its own, so tests never see each other's data. */
  readonly prefix: string;
  /** True when this is a private redis-server the tests may stop and restart. */
  readonly private: boolean;
  stop(): Promise<void>;
  /** Starts it again; `empty`: without its data, as a Redis without persistence comes back. */
  start(options?: { empty?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRedis(url: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      await client.close();
      return;
    } catch {
      await client.destroy?.();
      if (Date.now() > deadline) throw new Error(`redis at ${url} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * A Redis for tests: a private redis-server on a free port when the binary
 * exists (by default with an append-only file, flushed on every write, so a
 * restart keeps everything), or else the machine's own Redis on 6379 under a prefix
 * of its own.
 */
export async function startRedis(options: { durable?: boolean } = {}): Promise<TestRedis> {
  // Benchmarks turn the append-only file off: fsync on every write would measure the disk.
  const durability = (options.durable ?? true) ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const prefix = `mctest${process.pid}x${Date.now().toString(36)}`;
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    const url = 'redis://127.0.0.1:6379';
    await waitForRedis(url);
    return {
      url,
      prefix,
      private: false,
      stop: async () => {
        throw new Error('no private redis-server here: cannot stop the shared one');
      },
      start: async () => undefined,
      close: async () => undefined,
    };
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mc-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async (options: { empty?: boolean } = {}) => {
    if (options.empty) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...durability],
      { stdio: 'ignore' },
    );
    await waitForRedis(url);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    prefix,
    private: true,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
