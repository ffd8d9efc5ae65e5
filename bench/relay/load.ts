import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Histogram, type LatencySummary } from './histogram.js';
import { ready, serve } from './ipc.js';
import { BenchClient, type ClientSink, type Wire } from './ws-client.js';

// The load generator: holds a set of clients per relay and, on request,
// sends at a fixed rate for a fixed time, then waits for every delivery
// (and every ack, from a relay that sends them) to arrive.

/** A chat-sized message. */
const TEXT = 'Quarterly numbers are in: see the shared folder before the 3 pm call.';

export type Mode = 'broadcast' | 'unicast';

export interface RunArgs {
  group: string;
  mode: Mode;
  /** Messages per second, all clients together. */
  rate: number;
  seconds: number;
  /** How long to wait for stragglers after the last send. */
  drainMs: number;
  /** Whether the relay acknowledges each send (ours always does, the ws baseline never; Socket.IO when the emit asks for it). */
  acks: boolean;
}

export interface RunResult {
  sent: number;
  /** Messages per second actually sent (below `rate` when the generator fell behind). */
  achievedRate: number;
  expected: number;
  delivered: number;
  expectedAcks: number;
  acks: number;
  errors: number;
  firstError: string | undefined;
  closes: number;
  latency: LatencySummary;
  /** Wall clock (ms since the epoch) of the send period, to line up with the server's CPU samples. */
  sendStart: number;
  sendEnd: number;
  drainedAfterMs: number;
  /** The generator's own CPU during the send period, ms, and as a share of one core. */
  generatorCpuMs: number;
  generatorUtilisation: number;
  /** Share of the send period the generator's event loop was busy: 1 means it could not keep up. */
  generatorLoopBusy: number;
}

interface Group {
  readonly port: number;
  readonly clients: BenchClient[];
}

const groups = new Map<string, Group>();
let histogram = new Histogram();
let delivered = 0;
let acks = 0;
let errors = 0;
let closes = 0;
let firstError: string | undefined;

const sink: ClientSink = {
  message(latencyUs) {
    delivered++;
    histogram.record(latencyUs);
  },
  ack() {
    acks++;
  },
  error(text) {
    errors++;
    firstError ??= text.slice(0, 300);
  },
  closed() {
    closes++;
  },
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
let sequence = 0;

function closeGroup(name: string): void {
  const group = groups.get(name);
  if (!group) return;
  groups.delete(name);
  for (const client of group.clients) client.close();
}

async function connectGroup(args: { group: string; port: number; n: number; wire?: Wire; timeout?: number }): Promise<{ n: number }> {
  closeGroup(args.group);
  const clients: BenchClient[] = new Array(args.n);
  let next = 0;
  const worker = async () => {
    while (next < args.n) {
      const index = next++;
      clients[index] = await BenchClient.open(args.port, `load-${index}`, sink, args.wire, args.timeout);
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, args.n) }, worker));
  groups.set(args.group, { port: args.port, clients });
  // Let the presence announcements of the last joins arrive before anyone measures.
  await sleep(300);
  return { n: clients.length };
}

async function run(args: RunArgs): Promise<RunResult> {
  const group = groups.get(args.group);
  if (!group) throw new Error(`no group ${args.group}`);
  const { clients } = group;
  const n = clients.length;
  histogram = new Histogram();
  delivered = acks = errors = closes = 0;
  firstError = undefined;

  const total = Math.max(1, Math.round(args.rate * args.seconds));
  const unicast = args.mode === 'unicast';
  let sent = 0;
  let sender = 0;
  const cpu0 = process.cpuUsage();
  const loop0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      // Open loop: what is due by now goes out now, whatever came back.
      const due = Math.min(total, Math.floor(((performance.now() - t0) * args.rate) / 1000) + 1);
      while (sent < due) {
        const from = sender;
        sender = sender + 1 === n ? 0 : sender + 1;
        let to = '';
        if (unicast) {
          let target = Math.floor(Math.random() * (n - 1));
          if (target >= from) target++;
          to = `"to":{"ids":["${clients[target]!.id}"]},`;
        }
        const t = Math.round(performance.now() * 1000);
        clients[from]!.sendFrame(`{"type":"send","id":"${(sequence++).toString(36)}",${to}"data":{"t":${t},"text":"${TEXT}"}}`, args.acks);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const loop = performance.eventLoopUtilization(loop0);
  const expected = sent * (unicast ? 1 : n - 1);
  const expectedAcks = args.acks ? sent : 0;
  const deadline = t1 + args.drainMs;
  while ((delivered < expected || acks < expectedAcks) && closes === 0 && performance.now() < deadline) await sleep(1);
  const t2 = performance.now();
  const sendMs = Math.max(t1 - t0, (args.seconds * 1000 * (total - 1)) / total, 1);
  const generatorCpuMs = (cpu.user + cpu.system) / 1000;
  return {
    sent,
    achievedRate: (sent - 1) / (sendMs / 1000),
    expected,
    delivered,
    expectedAcks,
    acks,
    errors,
    firstError,
    closes,
    latency: histogram.summary(),
    sendStart: performance.timeOrigin + t0,
    sendEnd: performance.timeOrigin + t1,
    drainedAfterMs: t2 - t1,
    generatorCpuMs,
    generatorUtilisation: generatorCpuMs / sendMs,
    generatorLoopBusy: loop.utilization,
  };
}

/**
 * The machine's own latency floor for a fan-out: 8-byte timestamps, each
 * sent by one socket and copied by a bare TCP server (server-host's `floor`)
 * to all the others, at the same rate and to as many sockets as a relay
 * scenario. What a relay adds to this is its own.
 */
async function floor(args: { port: number; sockets: number; rate: number; seconds: number }): Promise<LatencySummary> {
  const sockets: Socket[] = [];
  const latency = new Histogram();
  for (let i = 0; i < args.sockets; i++) {
    const socket = connect({ port: args.port, host: '127.0.0.1' });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let pending: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const nowUs = performance.now() * 1000;
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      for (; at + 8 <= buf.length; at += 8) latency.record(nowUs - buf.readDoubleLE(at));
      pending = at < buf.length ? Buffer.from(buf.subarray(at)) : undefined;
    });
    sockets.push(socket);
  }
  await sleep(200);
  const total = Math.round(args.rate * args.seconds);
  const expected = total * (args.sockets - 1);
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * args.rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const stamp = Buffer.allocUnsafe(8);
        stamp.writeDoubleLE(performance.now() * 1000);
        sockets[sent % sockets.length]!.write(stamp);
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const deadline = performance.now() + 2000;
  while (latency.count < expected && performance.now() < deadline) await sleep(1);
  for (const socket of sockets) socket.destroy();
  return latency.summary();
}

serve({
  floor,
  connect: connectGroup,
  run,
  close: ({ group }: { group: string }) => closeGroup(group),
});

ready();
