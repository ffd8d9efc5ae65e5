// bench:recovery — how long after a relay comes back every client is caught
// up, over 20 SIGKILL restarts. Ours: ChatClient (resume + replay, the
// panel's default backoff). Baseline: the original wrapper's setup, plain
// reconnecting-websocket with its default options, which can only reconnect
// (there is nothing to catch up with): the time until all are reconnected.
//   npm run bench:recovery            (20 restarts each)
//   npm run bench:recovery -- --quick (5 each)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ReconnectingWebSocket from 'reconnecting-websocket';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import { startRelayProcess, type RelayProcess } from '../../test/support/relay-process.js';

const quick = process.argv.includes('--quick');
const restarts = quick ? 5 : 20;
const clientsPerRun = 20;
const queuedWhileDown = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(predicate: () => boolean, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(2);
  }
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
/** Downtimes of 0.5–2 s, the same sequence for both sides. */
const downtimes = Array.from({ length: restarts }, (_, i) => 500 + ((i * 7919) % 1500));

async function measureOurs(): Promise<number[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mc-recovery-'));
  const args = ['--data-dir', dataDir, '--max-messages-per-second', '10000', '--burst', '10000'];
  let relay: RelayProcess = await startRelayProcess(args);
  const port = relay.port;
  const clients = Array.from({ length: clientsPerRun }, (_, i) => {
    const client = new ChatClient({ url: relay.url, name: `c${i}`, WebSocket: WebSocket as never, store: memoryStore() });
    const received = new Set<string>();
    client.on('message', (message) => received.add(message.id));
    client.connect();
    return { client, received };
  });
  await until(() => clients.every((c) => c.client.status === 'online'));
  const writer = clients[0]!;
  const times: number[] = [];
  for (let round = 0; round < restarts; round++) {
    await relay.kill('SIGKILL');
    await until(() => clients.every((c) => c.client.status !== 'online'));
    const ids = Array.from({ length: queuedWhileDown }, (_, i) => writer.client.send(`round ${round} #${i}`)!.id);
    await sleep(downtimes[round]!);
    relay = await startRelayProcess(args, port);
    const back = relay.listeningAt;
    await until(() =>
      clients.every((c) => c.client.status === 'online' && c.client.pending.length === 0 && (c === writer || ids.every((id) => c.received.has(id)))),
    );
    times.push(Date.now() - back);
  }
  for (const { client } of clients) client.close();
  await relay.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  return times;
}

async function measureBaseline(): Promise<number[]> {
  const args: string[] = [];
  let relay: RelayProcess = await startRelayProcess(args);
  const port = relay.port;
  const sockets = Array.from({ length: clientsPerRun }, () => new ReconnectingWebSocket(relay.url, [], { WebSocket }));
  const open = () => sockets.every((socket) => socket.readyState === ReconnectingWebSocket.OPEN);
  await until(open);
  const times: number[] = [];
  for (let round = 0; round < restarts; round++) {
    await relay.kill('SIGKILL');
    await until(() => sockets.every((socket) => socket.readyState !== ReconnectingWebSocket.OPEN));
    await sleep(downtimes[round]!);
    relay = await startRelayProcess(args, port);
    const back = relay.listeningAt;
    await until(open);
    times.push(Date.now() - back);
  }
  for (const socket of sockets) socket.close();
  await relay.kill('SIGTERM');
  return times;
}

const ours = await measureOurs();
const baseline = await measureBaseline();
const row = (label: string, f: (values: number[]) => number) => {
  const a = f(ours);
  const b = f(baseline);
  return [label, `${a} ms`, `${b} ms`, `${(a / b).toFixed(2)}×`];
};
const rows = [
  ['', 'ours: caught up', 'baseline: reconnected', 'ratio'],
  row('p50', (v) => percentile(v, 50)),
  row('p95', (v) => percentile(v, 95)),
  row('max', (v) => Math.max(...v)),
];
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\nbench:recovery — ${restarts} SIGKILL restarts each, ${clientsPerRun} clients, downtimes 0.5–2 s, time from the relay listening again`);
console.log(`ours: ChatClient on a --data-dir relay; caught up = every client online, every outbox empty, and the ${queuedWhileDown} messages queued while down received by all`);
console.log(`baseline: reconnecting-websocket with default options; only reconnected (no replay to catch up with)\n`);
for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
console.log(`\nours (ms): ${ours.join(', ')}\nbaseline (ms): ${baseline.join(', ')}`);
console.log(`target: ours p95 < 1000 ms — ${percentile(ours, 95) < 1000 ? 'met' : 'NOT met'}`);
