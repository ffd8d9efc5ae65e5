// bench:cluster — cross-node delivery on a Redis cluster against a single
// relay, in the same run, alternating: latency at a fixed moderate rate and
// the highest sustained broadcast rate (p99 ≤ 100 ms, nothing lost).
//   npm run bench:cluster            (two rounds each)
//   npm run bench:cluster -- --quick (one round, shorter windows)
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { startRedis } from '../../test/support/redis-server.js';
import { startRelayProcess, type RelayProcess } from '../../test/support/relay-process.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 2;
const receivers = 50;
const windowMs = quick ? 2000 : 4000;
const moderate = 200; // broadcasts per second: 10,000 deliveries per second
const LOAD = ['--max-messages-per-second', '1000000', '--burst', '1000000', '--max-connections-per-address', '100000'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Client {
  socket: WebSocket;
  latencies: number[];
  received: number;
}

async function client(url: string, name: string): Promise<Client> {
  const socket = new WebSocket(url, ['message-center.v1']);
  const state: Client = { socket, latencies: [], received: 0 };
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'hello', name }));
  await new Promise<void>((resolve) => {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; data?: { t: number } };
      if (frame.type === 'welcome') resolve();
      if (frame.type === 'message' && frame.data) {
        state.received++;
        state.latencies.push(performance.timeOrigin + performance.now() - frame.data.t);
      }
    });
  });
  return state;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Broadcasts `rate` messages a second for the window; returns latency and loss as the receivers saw them. */
async function run(sender: Client, targets: Client[], rate: number): Promise<{ p50: number; p99: number; lost: number; deliveries: number }> {
  for (const target of targets) {
    target.latencies = [];
    target.received = 0;
  }
  const total = Math.round((rate * windowMs) / 1000);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent < due) {
      sender.socket.send(JSON.stringify({ type: 'send', id: `m${Date.now()}-${sent}`, data: { t: performance.timeOrigin + performance.now() } }));
      sent++;
    }
    await sleep(2);
  }
  const deadline = performance.now() + 3000;
  while (targets.some((t) => t.received < total) && performance.now() < deadline) await sleep(20);
  const latencies = targets.flatMap((t) => t.latencies);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost: targets.reduce((sum, t) => sum + (total - t.received), 0),
    deliveries: (total * targets.length) / (windowMs / 1000),
  };
}

/** The highest broadcast rate with p99 ≤ 100 ms and nothing lost, by doubling then bisecting. */
async function sustained(sender: Client, targets: Client[]): Promise<number> {
  let good = 0;
  let bad = 0;
  let rate = 400;
  for (let step = 0; step < (quick ? 6 : 9); step++) {
    const result = await run(sender, targets, rate);
    const ok = result.p99 <= 100 && result.lost === 0;
    if (ok) good = rate;
    else bad = rate;
    rate = bad ? Math.round((good + bad) / 2) : rate * 2;
    if (bad && bad - good <= Math.max(50, good * 0.1)) break;
    await sleep(500);
  }
  return good * targets.length;
}

async function scenario(kind: 'single' | 'cluster', redisUrl: string, prefix: string) {
  const relays: RelayProcess[] = [];
  let senderUrl: string;
  let receiverUrl: string;
  if (kind === 'single') {
    const relay = await startRelayProcess(LOAD);
    relays.push(relay);
    senderUrl = receiverUrl = relay.url;
  } else {
    const [a, b] = await Promise.all([
      startRelayProcess(['--redis', redisUrl, '--redis-prefix', prefix, ...LOAD]),
      startRelayProcess(['--redis', redisUrl, '--redis-prefix', prefix, ...LOAD]),
    ]);
    relays.push(a!, b!);
    senderUrl = a!.url;
    receiverUrl = b!.url;
  }
  const sender = await client(senderUrl, 'sender');
  const targets = await Promise.all(Array.from({ length: receivers }, (_, i) => client(receiverUrl, `r${i}`)));
  await sleep(500);
  await run(sender, targets, moderate); // warm-up
  const atModerate = await run(sender, targets, moderate);
  const max = await sustained(sender, targets);
  for (const c of [sender, ...targets]) c.socket.terminate();
  await Promise.all(relays.map((relay) => relay.kill('SIGTERM')));
  return { ...atModerate, max };
}

const redis = await startRedis({ durable: false });
const results: Record<'single' | 'cluster', Array<Awaited<ReturnType<typeof scenario>>>> = { single: [], cluster: [] };
try {
  for (let round = 0; round < rounds; round++) {
    for (const kind of (round % 2 ? ['cluster', 'single'] : ['single', 'cluster']) as const) {
      results[kind].push(await scenario(kind, redis.url, `${redis.prefix}bench${round}`));
    }
  }
} finally {
  await redis.close();
}

const median = (values: number[]) => percentile(values, 50);
const pick = (kind: 'single' | 'cluster', key: 'p50' | 'p99' | 'max' | 'lost') => median(results[kind].map((r) => r[key]));
const fmt = (value: number, unit: string) => `${value >= 100 ? Math.round(value) : value.toFixed(2)} ${unit}`;
const rows = [
  ['', 'single node', 'cluster, cross-node', 'ratio'],
  [`p50 latency at ${moderate} broadcasts/s × ${receivers}`, fmt(pick('single', 'p50'), 'ms'), fmt(pick('cluster', 'p50'), 'ms'), `${(pick('cluster', 'p50') / pick('single', 'p50')).toFixed(2)}×`],
  [`p99 latency at ${moderate} broadcasts/s × ${receivers}`, fmt(pick('single', 'p99'), 'ms'), fmt(pick('cluster', 'p99'), 'ms'), `${(pick('cluster', 'p99') / pick('single', 'p99')).toFixed(2)}×`],
  ['sustained deliveries/s (p99 ≤ 100 ms, none lost)', fmt(pick('single', 'max'), '/s'), fmt(pick('cluster', 'max'), '/s'), `${(pick('cluster', 'max') / pick('single', 'max')).toFixed(2)}×`],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\nbench:cluster — ${rounds} alternating rounds; one sender, ${receivers} receivers; single = one relay in memory; cluster = sender on node A, receivers on node B, one Redis; all on this machine's 2 cores`);
for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
console.log(`\nadded latency, cross-node (p50): ${(pick('cluster', 'p50') - pick('single', 'p50')).toFixed(2)} ms`);
