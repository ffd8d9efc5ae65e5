import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createRelayServer } from '../../src/server/index.js';
import { ready, serve } from '../relay/ipc.js';

// One node of the bench's two-node cluster, in a process of its own so its
// CPU time is its own (the load generators and Redis run elsewhere).

const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    prefix: { type: 'string' },
    'presence-threshold': { type: 'string' },
    'presence-interval': { type: 'string' },
  },
});
if (!values.redis || !values.prefix) throw new TypeError('--redis URL and --prefix P are required');

const relay = await createRelayServer({
  port: 0,
  host: '127.0.0.1',
  logger: false,
  redis: values.redis,
  redisPrefix: values.prefix,
  // Every idle client comes from 127.0.0.1: lift the limits meant for people.
  maxMessagesPerSecond: 1_000_000,
  burst: 1_000_000,
  maxConnectionsPerAddress: 100_000,
  maxConnections: 100_000,
  // The global room's fill sends each arrival the whole roster (1.4 MB at
  // 20,000) and a notice to everyone there; generators sharing the cores
  // fall behind, and would be cut off as slow consumers at the default 1 MiB.
  maxBufferedBytes: 64 * 1024 * 1024,
  // No pings during the bench: 20,000 pings every 25 s would land in some
  // windows and not others. What is measured is presence alone.
  heartbeatInterval: 3_600_000,
  ...(values['presence-threshold'] ? { presenceThreshold: Number(values['presence-threshold']) } : {}),
  ...(values['presence-interval'] ? { presenceInterval: Number(values['presence-interval']) } : {}),
});

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

serve({
  /** CPU µs this process has used since it started. */
  cpu: () => cpuUs(),
  /** Resolves once the event loop has been nearly idle for 200 ms (the announcements of the last changes handled). */
  settle: async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const before = performance.eventLoopUtilization();
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (performance.eventLoopUtilization(before).utilization < 0.05 || Date.now() > deadline) return;
    }
  },
  online: () => relay.online,
});

ready({ port: relay.port });
