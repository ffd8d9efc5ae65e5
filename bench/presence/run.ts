import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ROOM } from '../../src/protocol/constants.js';
import { startRedis } from '../../test/support/redis-server.js';
import { Child } from '../relay/ipc.js';
import { machineBusyMs, median } from '../relay/machine.js';
import { BenchClient, type ClientSink } from '../relay/ws-client.js';
import type { IdleClient } from './idle.js';

// `npm run bench:presence [-- --quick]`: what one join and one leave cost the
// relays (CPU, and bytes sent to clients) as a function of the room's size
// and of the total number of connections, on a two-node cluster on Redis,
// beside today's one global room measured in the same run.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    totals: { type: 'string' },
    cycles: { type: 'string' },
    'global-max': { type: 'string' },
    probe: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write(
    'Usage: npm run bench:presence [-- [--quick] [--totals 1000,5000,20000] [--cycles K] [--global-max N]]\n' +
      '  --quick       1,000 and 5,000 connections only\n' +
      '  --totals      the totals of idle connections to measure at\n' +
      '  --cycles K    probe join+leave cycles per batch, 3 batches per room (default 30; 6 in a large room)\n' +
      '  --probe       frames: the probe enters and leaves by join and leave frames (default);\n' +
      '                connect: by connecting with hello and closing, as clients before rooms did\n' +
      '  --global-max  the largest total at which the global room is filled and measured (default 5000:\n' +
      '                filling it is O(n²): 5,000 took 1–2.5 minutes on a shared 2-core VM,\n' +
      '                20,000 would take 16 times as long); above it, its cost is extrapolated\n' +
      '                linearly from the totals measured\n',
  );
  process.exit(0);
}

const quick = flags.quick === true;
const totals = flags.totals ? flags.totals.split(',').map(Number) : quick ? [1000, 5000] : [1000, 5000, 20000];
const config = {
  /** Probe join+leave cycles per batch; the CPU figure is the median batch's (others share the machine). */
  cycles: flags.cycles ? Number(flags.cycles) : 30,
  /** In a large room each change waits out a presence interval: fewer cycles, each costing the whole room. */
  largeCycles: 6,
  batches: 3,
  /**
   * A large room's presence batches (the relay's `presenceInterval`, 1,000 ms
   * by default) made shorter than the probe's pauses between a join and its
   * leave (`gapMs`), so that each change is a batch of its own: the worst
   * case, where batching saves nothing. Otherwise a join and its leave
   * within one interval would cancel out and cost the room nothing.
   */
  presenceInterval: 250,
  gapMs: 300,
  /**
   * After each change in a small room (and in the global room): long enough
   * for its notices to go out before the next change's, so that a join's and
   * its leave's notices never share a write to a socket (they would, back to
   * back, and each would seem to cost half of what it costs on its own).
   */
  smallGapMs: 20,
  /** Room sizes the probe enters, counting the probe: rooms of 10, 200 and 5,000 hold 9, 199 and 4,999 idle clients. */
  roomSizes: [10, 200, 5000],
  /** Idle clients per load-generator process (each may hold only `ulimit -n` sockets). */
  perGenerator: 5000,
  concurrency: 64,
  globalMax: flags['global-max'] ? Number(flags['global-max']) : 5000,
  idleWindowMs: 1000,
  probe: (flags.probe ?? 'frames') as ProbeMode,
};

if (config.probe !== 'frames' && config.probe !== 'connect') throw new TypeError('--probe: use frames or connect');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const started = Date.now();
const log = (text: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${text}\n`);

// ── the machine ───────────────────────────────────────────────────────────

const CORES = availableParallelism();

/** CPU ms used by this process and every process under it (relays, generators, Redis), from /proc. */
function ownTreeMs(): number {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // After the command: state, ppid … utime (14th field overall), stime (15th), cutime, cstime.
      stats.set(Number(entry), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = stats.get(at)?.ppid) {
      if (at === process.pid) {
        total += stat.ms;
        break;
      }
    }
  }
  return total;
}

// ── processes ─────────────────────────────────────────────────────────────

interface Node {
  readonly child: Child;
  readonly port: number;
}

async function startNode(redisUrl: string, prefix: string, presenceThreshold: number | undefined): Promise<Node> {
  const args = [
    '--redis',
    redisUrl,
    '--prefix',
    prefix,
    '--presence-interval',
    String(config.presenceInterval),
    ...(presenceThreshold === undefined ? [] : ['--presence-threshold', String(presenceThreshold)]),
  ];
  // Left to the scheduler: two nodes, Redis and the generators share 2 cores.
  const child = Child.start('relay', undefined, resolve(here, 'relay-host.ts'), args);
  const { port } = await child.ready;
  return { child, port: port as number };
}

interface Stats {
  bytes: number;
  closes: number;
  errors: number;
  firstError?: string;
}

let generators: Child[] = [];

async function generatorStats(): Promise<Stats> {
  const all = await Promise.all(generators.map((g) => g.call<Stats>('stats')));
  return {
    bytes: all.reduce((sum, s) => sum + s.bytes, 0),
    closes: all.reduce((sum, s) => sum + s.closes, 0),
    errors: all.reduce((sum, s) => sum + s.errors, 0),
    firstError: all.find((s) => s.firstError)?.firstError,
  };
}

// ── the probe ─────────────────────────────────────────────────────────────

/**
 * How the probe enters and leaves a room: `frames`, with `join` and `leave`
 * frames on a connection in no room (what a room change costs, nothing
 * else); `connect`, by connecting with hello (its rooms) and closing (what
 * today's clients do, a connection's handshake and session included).
 */
type ProbeMode = 'frames' | 'connect';

/** A client entering and leaving a room, on alternating nodes, counting what it receives itself. */
class Probe {
  bytes = 0;
  errors: string[] = [];
  private readonly waiters = new Map<string, (text: string) => void>();
  private readonly sink: ClientSink = {
    message() {},
    ack() {},
    error: (text) => this.errors.push(text),
    closed() {},
    bytes: (n) => {
      this.bytes += n;
    },
    other: (text) => {
      const id = /"id":"(p\d+)"/.exec(text)?.[1];
      if (id && (text.startsWith('{"type":"joined"') || text.startsWith('{"type":"left"'))) this.waiters.get(id)?.(text);
    },
  };
  private serial = 0;
  /** In `frames` mode: one connection on each node, in no room. */
  private clients: BenchClient[] = [];

  constructor(
    private readonly mode: ProbeMode,
    private readonly ports: number[],
  ) {}

  /** Opens the probe's connections (frames mode); what they receive meanwhile is not counted. */
  async open(): Promise<void> {
    if (this.mode === 'frames') {
      this.clients = await Promise.all(this.ports.map((port, i) => BenchClient.open(port, `probe-${i}`, this.sink, 'mc', 60_000, { rooms: [] })));
    }
    this.bytes = 0;
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.close();
  }

  /**
   * Enters `room` (undefined: the default room) on the `c % 2`th node and
   * leaves it again; `spaced`: pausing after each, so that each change of a
   * large room is a batch of its own.
   */
  async cycle(c: number, room: string | undefined, spaced: boolean): Promise<void> {
    const gap = () => sleep(spaced ? config.gapMs : config.smallGapMs);
    if (this.mode === 'connect') {
      const client = await BenchClient.open(this.ports[c % 2]!, `probe-${this.serial++}`, this.sink, 'mc', 600_000, room ? { rooms: [room] } : {});
      await gap();
      client.close();
    } else {
      const client = this.clients[c % 2]!;
      await this.request(client, { type: 'join', room: room ?? DEFAULT_ROOM });
      await gap();
      await this.request(client, { type: 'leave', room: room ?? DEFAULT_ROOM });
    }
    await gap();
  }

  /** Whether the room is large (its roster partial, its presence batched), asked by joining it once, uncounted. */
  async isLarge(room: string | undefined): Promise<boolean> {
    // Connecting and closing: always paced, as a close has no answer to wait for.
    if (this.mode === 'connect') return true;
    const joined = await this.request(this.clients[0]!, { type: 'join', room: room ?? DEFAULT_ROOM });
    await this.request(this.clients[0]!, { type: 'leave', room: room ?? DEFAULT_ROOM });
    return joined.includes('"partial":true');
  }

  /** Sends a join or leave and waits for its answer. */
  private request(client: BenchClient, frame: { type: string; room: string }): Promise<string> {
    const id = `p${this.serial++}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${frame.type} ${frame.room} within 30 s: ${this.errors.join('; ')}`)), 30_000);
      this.waiters.set(id, (text) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(text);
      });
      client.sendText(JSON.stringify({ ...frame, id }));
    });
  }
}

// ── one population ────────────────────────────────────────────────────────

type Mode = 'global' | 'rooms';

/** The rooms of idle client `i`: one of each size it fits in (a room of 5,000 holds the first 4,999). */
function roomsOf(i: number, total: number): string[] {
  const rooms: string[] = [];
  for (const size of config.roomSizes) {
    const members = size - 1;
    const index = Math.floor(i / members);
    // A last room with fewer than `members` is left out, as is a size larger than the population.
    if ((index + 1) * members <= total) rooms.push(`r${size}-${index}`);
  }
  return rooms;
}

interface Result {
  total: number;
  mode: Mode;
  /** Members of the probed room with the probe in it. */
  roomSize: number;
  cycles: number;
  /** Relay CPU µs (both nodes) per join+leave, idle CPU subtracted: the median batch's. */
  cpuUs: number;
  /** The least and most of the batches. */
  cpuRange: [number, number];
  cpuUsByNode: [number, number];
  /** Bytes the relays sent to clients (idle clients and the probe) per join+leave. */
  bytes: number;
  probeBytes: number;
  /** Cores' worth of CPU used by processes outside this bench meanwhile. */
  otherCores: number;
  cutOff: number;
  /** What each node used idle, subtracted: CPU µs per second. */
  idleUsPerSecond: [number, number];
}

async function settle(nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.child.call('settle')));
  // …and every byte in flight arrived.
  let last = -1;
  for (;;) {
    const { bytes } = await generatorStats();
    if (bytes === last) return;
    last = bytes;
    await sleep(200);
  }
}

/** What the two nodes use idle (the cluster's heartbeats, reading Redis), CPU µs per ms, to subtract. */
async function idleRates(nodes: Node[]): Promise<number[]> {
  await settle(nodes);
  const cpu0 = await cpuOf(nodes);
  const t0 = performance.now();
  await sleep(config.idleWindowMs);
  const cpu1 = await cpuOf(nodes);
  const elapsed = performance.now() - t0;
  return cpu1.map((cpu, i) => (cpu - cpu0[i]!) / elapsed);
}

const cpuOf = (nodes: Node[]) => Promise.all(nodes.map((n) => n.child.call<number>('cpu')));

interface Batch {
  cycles: number;
  cpuUsByNode: [number, number];
  bytes: number;
  probeBytes: number;
  otherCores: number;
  cutOff: number;
}

/** Rooms found large (partial), for the report. */
const largeRooms = new Set<string>();

/** `config.cycles` join+leave cycles of the probe in `room`, on alternating nodes; per cycle, once everything they caused has arrived. */
async function batch(nodes: Node[], room: string | undefined, idle: number[]): Promise<Batch> {
  const probe = new Probe(config.probe, nodes.map((n) => n.port));
  await probe.open();
  const large = await probe.isLarge(room);
  const cycles = large ? config.largeCycles : config.cycles;
  if (large) largeRooms.add(room ?? DEFAULT_ROOM);
  await settle(nodes);
  probe.bytes = 0;
  const before = await generatorStats();
  const cpu0 = await cpuOf(nodes);
  const busy0 = machineBusyMs();
  const tree0 = ownTreeMs();
  const t0 = performance.now();
  for (let c = 0; c < cycles; c++) await probe.cycle(c, room, large);
  await settle(nodes);
  if (probe.errors.length) throw new Error(`the probe got errors: ${probe.errors.join('; ')}`);
  probe.close();
  const cpu1 = await cpuOf(nodes);
  const elapsed = performance.now() - t0;
  const otherCores = Math.max(0, machineBusyMs() - busy0 - (ownTreeMs() - tree0)) / elapsed;
  const after = await generatorStats();
  if (after.errors > before.errors) throw new Error(`idle clients got errors: ${after.firstError}`);
  return {
    cycles,
    cpuUsByNode: cpu1.map((cpu, i) => (cpu - cpu0[i]! - idle[i]! * elapsed) / cycles) as [number, number],
    bytes: (after.bytes - before.bytes + probe.bytes) / cycles,
    probeBytes: probe.bytes / cycles,
    otherCores,
    cutOff: after.closes - before.closes,
  };
}

async function measure(nodes: Node[], total: number, mode: Mode, roomSize: number, room: string | undefined): Promise<Result> {
  const idle = await idleRates(nodes);
  const batches: Batch[] = [];
  for (let b = 0; b < config.batches; b++) batches.push(await batch(nodes, room, idle));
  const cpu = batches.map((b) => b.cpuUsByNode[0] + b.cpuUsByNode[1]);
  const typical = batches[cpu.indexOf(median(cpu))] ?? batches[0]!;
  return {
    total,
    mode,
    roomSize,
    cycles: batches.reduce((sum, b) => sum + b.cycles, 0),
    cpuUs: median(cpu),
    cpuRange: [Math.min(...cpu), Math.max(...cpu)],
    cpuUsByNode: typical.cpuUsByNode,
    bytes: median(batches.map((b) => b.bytes)),
    probeBytes: median(batches.map((b) => b.probeBytes)),
    otherCores: typical.otherCores,
    cutOff: batches.reduce((sum, b) => sum + b.cutOff, 0),
    idleUsPerSecond: idle.map((rate) => rate * 1000) as [number, number],
  };
}

async function population(redisUrl: string, prefix: string, total: number, mode: Mode): Promise<Result[]> {
  // The global room: today's presence, every change told to everyone (the threshold out of reach).
  const threshold = mode === 'global' ? 1_000_000_000 : undefined;
  const nodes = [await startNode(redisUrl, prefix, threshold), await startNode(redisUrl, prefix, threshold)];
  try {
    const fill0 = Date.now();
    const clients: IdleClient[] = Array.from({ length: total }, (_, i) => ({
      port: nodes[i % 2]!.port,
      name: `idle-${i}`,
      ...(mode === 'rooms' ? { rooms: roomsOf(i, total) } : {}),
    }));
    const slices = generators.map((_, g) => clients.filter((_, i) => i % generators.length === g));
    await Promise.all(generators.map((g, i) => g.call('connect', { clients: slices[i], concurrency: config.concurrency })));
    await settle(nodes);
    // A generator that falls behind while the global room fills (O(n²) notices) has its clients cut off as slow consumers.
    const online = await nodes[0]!.child.call<number>('online');
    const { closes } = await generatorStats();
    log(
      `${total.toLocaleString('en-US')} idle clients (${mode}) connected and settled in ${((Date.now() - fill0) / 1000).toFixed(1)} s` +
        (closes > 0 ? `; ${closes} of them were cut off meanwhile, ${online} online` : ''),
    );
    const results: Result[] = [];
    const probed = mode === 'global' ? [{ size: online + 1, room: undefined }] : config.roomSizes.filter((s) => s <= total).map((size) => ({ size, room: `r${size}-0` }));
    for (const { size, room } of probed) {
      const result = await measure(nodes, total, mode, size, room);
      results.push(result);
      log(
        `  ${mode === 'global' ? 'global room' : `room of ${size}`}: ${fmt(result.cpuUs, 0)} µs CPU, ${fmtInt(result.bytes)} bytes per join+leave` +
          ` (idle nodes: ${result.idleUsPerSecond.map((r) => fmtInt(r)).join(' + ')} µs/s; other processes: ${fmt(result.otherCores)} cores${result.cutOff ? `, ${result.cutOff} clients cut off` : ''})`,
      );
    }
    return results;
  } finally {
    await Promise.all(generators.map((g) => g.call('close')));
    await Promise.all(nodes.map((n) => n.child.stop()));
  }
}

// ── report ────────────────────────────────────────────────────────────────

/** The global room's cost at `total`, on the least-squares line through the measured ones (its cost is O(members)). */
function extrapolate(measured: Result[], total: number): Result {
  const line = (pick: (r: Result) => number) => {
    const n = measured.length;
    const mx = measured.reduce((sum, r) => sum + r.total, 0) / n;
    const my = measured.reduce((sum, r) => sum + pick(r), 0) / n;
    const slope = measured.reduce((sum, r) => sum + (r.total - mx) * (pick(r) - my), 0) / measured.reduce((sum, r) => sum + (r.total - mx) ** 2, 0);
    return my + slope * (total - mx);
  };
  const cpuUs = line((r) => r.cpuUs);
  return { ...measured[0]!, total, roomSize: total + 1, cpuUs, cpuRange: [NaN, NaN], cpuUsByNode: [cpuUs / 2, cpuUs / 2], idleUsPerSecond: [NaN, NaN], bytes: line((r) => r.bytes), probeBytes: line((r) => r.probeBytes), otherCores: NaN, cutOff: 0 };
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const fmtInt = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const load0 = loadavg();
  log(`bench:presence: totals ${totals.join(', ')}; ${config.batches} × ${config.cycles} join+leave cycles per room; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
  const redis = await startRedis({ durable: false });
  const results: Result[] = [];
  try {
    const most = Math.max(...totals);
    generators = Array.from({ length: Math.ceil(most / config.perGenerator) }, (_, i) => Child.start(`generator ${i}`, undefined, resolve(here, 'idle.ts')));
    await Promise.all(generators.map((g) => g.ready));
    for (const total of totals) {
      for (const mode of ['global', 'rooms'] as const) {
        if (mode === 'global' && total > config.globalMax) {
          log(`${total.toLocaleString('en-US')} (global): skipped, above --global-max ${config.globalMax}`);
          continue;
        }
        results.push(...(await population(redis.url, `${redis.prefix}${total}${mode}`, total, mode)));
      }
    }
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await redis.close();
  }

  const load1 = loadavg();
  const measuredGlobal = results.filter((r) => r.mode === 'global');
  const extrapolated: Result[] = [];
  const rows: string[][] = [];
  for (const total of totals) {
    let global = measuredGlobal.find((r) => r.total === total);
    if (!global && measuredGlobal.length >= 2) {
      global = extrapolate(measuredGlobal, total);
      extrapolated.push(global);
    }
    const mark = global && extrapolated.includes(global) ? '~' : '';
    for (const r of [...(global && mark ? [global] : []), ...results.filter((r) => r.total === total)]) {
      const own = r === global;
      rows.push([
        fmtInt(total),
        own ? `${mark}global (${fmtInt(r.roomSize)})` : fmtInt(r.roomSize),
        `${own ? mark : ''}${fmtInt(r.cpuUs)}${own && mark ? '' : ` (${fmtInt(r.cpuRange[0])}–${fmtInt(r.cpuRange[1])})`}`,
        `${own ? mark : ''}${fmtInt(r.bytes)}`,
        global && !own ? `${mark}${fmt(r.cpuUs / global.cpuUs, 3)}` : '',
        global && !own ? `${mark}${fmt(r.bytes / global.bytes, 4)}` : '',
        own && mark ? '' : fmt(r.otherCores),
      ]);
    }
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} × ${CORES}, Node ${process.version}, Linux ${release()}`;
  const busy = Math.max(...results.map((r) => r.otherCores));
  const output = [
    '',
    `bench:presence — ${new Date().toISOString().slice(0, 10)}, ${machine}${quick ? ' (--quick)' : ''}`,
    '',
    table(['connections', 'room (members)', 'relay CPU µs / join+leave', 'bytes sent / join+leave', 'CPU vs global', 'bytes vs global', 'others (cores)'], rows),
    '',
    `· Two relay nodes on one Redis, each a process of its own; idle clients alternate between them, as do the probe's cycles. CPU: both nodes, per join+leave, their idle use subtracted; bytes: everything the relays sent to clients (the probe's welcome included), WebSocket framing and handshakes included.`,
    `· global: everyone in the one default room, the presence threshold out of reach (today's behaviour); the probe joins it as member ${'n+1'}. Rooms: each idle client is in one room of each size it fits in; the probe enters a room holding size−1 idle clients.`,
    ...(extrapolated.length
      ? [
          `· ~ extrapolated, not measured: the global room at ${extrapolated.map((r) => fmtInt(r.total)).join(', ')} connections, from a straight line through ` +
            `the global rooms measured (${measuredGlobal.map((r) => fmtInt(r.total)).join(', ')}); filling it takes O(n²) notices (--global-max to measure it).`,
        ]
      : []),
    `· ${config.batches} batches per row (CPU: the median batch, range in brackets; bytes: the median batch), ` +
      (config.probe === 'frames'
        ? `each of ${config.cycles} cycles, join then leave with ${config.smallGapMs} ms after each, by a connection on that node that is in no room otherwise; ` +
          `in a large room (more than presenceThreshold, 200: batched presence) ${config.largeCycles} cycles with ${config.gapMs} ms after each change, ` +
          `the nodes' presenceInterval set to ${config.presenceInterval} ms: every change a batch of its own, the worst case.`
        : `each of ${config.largeCycles} cycles: connect with hello (rooms), ${config.gapMs} ms, close, ${config.gapMs} ms.`),
    `· Load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end; ` +
      (busy > 0.25 ? `other processes were running: up to ${fmt(busy)} cores during a measurement (column "others").` : 'the machine was otherwise quiet during the measurements.'),
    '',
  ].join('\n');
  process.stdout.write(output);
  const file = resolve(root, '.bench', `presence-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), quick, config, totals, machine: { cpu: cpus()[0]?.model, cores: CORES, node: process.version, kernel: release() }, loadavg: [load0, load1], results, extrapolated },
      null,
      2,
    ),
  );
  process.stdout.write(`Results: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:presence failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
