import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { parseArgs } from 'node:util';
import { createRelayServer } from '../../src/server/index.js';
import { startBaselineRelay } from './baseline-relay.js';
import { startSocketIoRelay } from './socketio-relay.js';
import { ready, serve } from './ipc.js';

// One relay in a process of its own (pinned to a core by the orchestrator),
// reporting its own CPU time and memory so the figures include nothing else.

const { values } = parseArgs({ options: { impl: { type: 'string' }, 'data-dir': { type: 'string' }, fsync: { type: 'boolean' } } });
const impl = values.impl;
if (impl !== 'ours' && impl !== 'baseline' && impl !== 'socketio' && impl !== 'floor') throw new TypeError('--impl must be ours, baseline, socketio or floor');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run the server host with --expose-gc');

let port: number;
if (impl === 'ours') {
  const relay = await createRelayServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    // Every client of the generator comes from 127.0.0.1 and sends far more
    // than a person would: lift the limits meant for people, keep the rest.
    maxMessagesPerSecond: 1_000_000,
    burst: 1_000_000,
    maxConnectionsPerAddress: 100_000,
    maxConnections: 100_000,
    // bench:relay --log: the log on disk, to compare with the in-memory default.
    ...(values['data-dir'] ? { dataDir: values['data-dir'], fsync: values.fsync === true } : {}),
  });
  port = relay.port!;
} else if (impl === 'baseline') {
  port = (await startBaselineRelay({ port: 0, host: '127.0.0.1' })).port;
} else if (impl === 'socketio') {
  port = (await startSocketIoRelay({ port: 0, host: '127.0.0.1' })).port;
} else {
  // Not a relay: the least any server can do for a fan-out on Node, to
  // measure the machine's own latency floor. Every 8-byte stamp a socket
  // sends goes to every other socket, raw TCP, no framing, no parsing.
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('data', (chunk) => {
      for (const other of sockets) if (other !== socket) other.write(chunk);
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
}

const wallNow = (): number => performance.timeOrigin + performance.now();
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

interface Sample {
  /** Wall clock, ms since the epoch (comparable across processes). */
  t: number;
  /** CPU ms used by this process since the window started. */
  cpu: number;
  /** Event-loop busy ms since the window started: runnable but descheduled counts as busy, unlike CPU time. */
  busy: number;
}

let window: { cpu0: number; usage0: NodeJS.CpuUsage; busy0: number; t0: number; samples: Sample[]; timer: NodeJS.Timeout } | undefined;
const busyMs = (): number => performance.eventLoopUtilization().active;

serve({
  cpuStart: () => {
    if (window) clearInterval(window.timer);
    const usage0 = process.cpuUsage();
    const cpu0 = cpuMs();
    const busy0 = busyMs();
    const t0 = wallNow();
    const samples: Sample[] = [{ t: t0, cpu: 0, busy: 0 }];
    // Sampled so the orchestrator can compute utilisation over the generator's
    // send period alone, excluding the drain that follows it.
    const timer = setInterval(() => samples.push({ t: wallNow(), cpu: cpuMs() - cpu0, busy: busyMs() - busy0 }), 50);
    window = { cpu0, usage0, busy0, t0, samples, timer };
  },
  cpuStop: () => {
    if (!window) throw new Error('cpuStop without cpuStart');
    clearInterval(window.timer);
    const end = { t: wallNow(), cpu: cpuMs() - window.cpu0, busy: busyMs() - window.busy0 };
    const { user, system } = process.cpuUsage(window.usage0);
    const result = { cpuMs: end.cpu, userMs: user / 1000, systemMs: system / 1000, wallMs: end.t - window.t0, samples: [...window.samples, end] };
    window = undefined;
    return result;
  },
  /** Resolves once the event loop has been nearly idle for 200 ms (closes and their announcements handled). */
  settle: async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const before = performance.eventLoopUtilization();
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (performance.eventLoopUtilization(before).utilization < 0.05 || Date.now() > deadline) return;
    }
  },
  memory: () => {
    for (let i = 0; i < 4; i++) gc();
    const committed = getHeapSpaceStatistics().reduce((sum, space) => sum + space.space_size, 0);
    return { memory: process.memoryUsage(), committed };
  },
});

ready({ port, impl });
