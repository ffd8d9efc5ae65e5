import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LatencySummary } from './histogram.js';
import { Child } from './ipc.js';
import { machineBusyMs, median } from './machine.js';
import type { Mode, RunResult } from './load.js';

// `npm run bench:relay [-- --quick]`: our relay against a minimal `ws` relay
// doing the same routing, in the same run, alternating. See README.md here.
// `-- --log disk` (or `fsync`): our relay with its log on disk against our
// relay with its log in memory instead, to measure what durability costs.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    reps: { type: 'string' },
    only: { type: 'string' },
    log: { type: 'string' },
    idle: { type: 'string' },
    scenario: { type: 'string' },
    against: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  process.stdout.write(
    'Usage: npm run bench:relay [-- [--quick] [--reps N] [--only moderate,sustained,memory] [--log disk|fsync]]\n' +
      '  --quick   a short smoke run: short windows, one run per relay\n' +
      '  --reps N  alternating runs per relay (default 3 at the moderate rate, 2 for the rest)\n' +
      '  --only    run some parts only (the table shows — for the rest)\n' +
      '  --scenario broadcast-100,unicast-100,broadcast-1000,unicast-1000: run these only\n' +
      '  --idle N,M  idle connections per memory measurement (default 1000; 10000 takes many minutes)\n' +
      '  --log     compare our relay with its log on disk (--data-dir; fsync: --fsync too) against\n' +
      '            our relay with its log in memory, instead of against the minimal ws relay\n' +
      '  --against DIR  compare this checkout\'s relay with the one in another checkout (a git worktree\n' +
      '            of another commit, with its node_modules), both with the log in memory\n',
  );
  process.exit(0);
}

const quick = flags.quick === true;
if (flags.log !== undefined && flags.log !== 'disk' && flags.log !== 'fsync') throw new TypeError('--log: use disk or fsync');
/** In a --log run, "ours" is the relay with its log on disk and "baseline" the same relay with its log in memory. */
const against = flags.against ? resolve(flags.against) : undefined;
if (against && flags.log !== undefined) throw new TypeError('--against and --log: use one');
// --against compares two of our relays as --log does, so it shares its table (ours vs "baseline", both with acks).
const logMode = (flags.log ?? (against ? 'disk' : undefined)) as 'disk' | 'fsync' | undefined;
const LABELS = against ? { ours: 'this', baseline: 'against' } : logMode ? { ours: logMode === 'fsync' ? 'disk+fsync' : 'disk log', baseline: 'memory log' } : { ours: 'ours', baseline: 'baseline' };
const PARTS = ['moderate', 'sustained', 'memory'] as const;
/** Idle connections per memory measurement (`--idle 1000,10000`). */
const idleCounts = flags.idle ? flags.idle.split(',').map(Number) : undefined;
const parts = new Set(flags.only ? flags.only.split(',') : logMode ? PARTS.filter((part) => part !== 'memory') : PARTS);
for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new TypeError(`--only: unknown part ${part}; use ${PARTS.join(', ')}`);
const config = {
  /**
   * Alternating runs per relay (A B A B …); medians are reported. Three of
   * the short moderate windows, so one disturbed window cannot move a median.
   */
  moderateReps: flags.reps ? Number(flags.reps) : quick ? 1 : 3,
  // One search per relay by default, so a run stays within about 5 minutes; `--reps 3` for medians of three.
  reps: flags.reps ? Number(flags.reps) : 1,
  warmSeconds: quick ? 0.5 : 0.75,
  moderateSeconds: quick ? 1 : 2.5,
  stepSeconds: quick ? 0.6 : 0.75,
  /** Rate multiplier per step until a step fails, then bisection. */
  growth: quick ? 2 : 1.6,
  bisections: quick ? 1 : 2,
  maxSteps: quick ? 6 : 9,
  /** How long a window waits for its last deliveries; a search step that needs 1.5 s more has failed anyway. */
  drainMs: 3000,
  stepDrainMs: 1500,
  /** A step passes with p99 at or below this, nothing lost, and the generator on schedule. */
  p99LimitMs: 100,
  /** Idle connections per memory measurement, each in a fresh relay process. */
  /** 10,000 only when asked (`--idle`): filling ours that far takes many minutes (every arrival is announced to everyone). */
  memoryClients: idleCounts ?? [1000],
  memoryWarmClients: 100,
  memoryReps: flags.reps ? Number(flags.reps) : quick ? 1 : 2,
  floorSeconds: quick ? 1 : 3,
  /**
   * Cores' worth of CPU that other processes may use during a window before
   * it counts as disturbed and is run again (other people share this machine).
   */
  disturbedAbove: 0.25,
  retries: 2,
  /** Seconds the whole run may spend waiting for quiet and re-running disturbed windows; then it takes what it gets. */
  patienceSeconds: quick ? 15 : 45,
};

/** What is left of `config.patienceSeconds`. */
let patienceMs = config.patienceSeconds * 1000;

/**
 * What is measured: our relay; the minimal ws relay (`baseline`); Socket.IO
 * without acks, and with an ack callback on every emit (`socketio-ack`, the
 * same server as `socketio`, asked for acks: the fair comparison for our
 * acknowledged sends). A --log run compares two of ours instead.
 */
type Impl = 'ours' | 'baseline' | 'socketio' | 'socketio-ack';
/** A relay process: both Socket.IO contenders share one (and one set of clients). */
type Host = 'ours' | 'baseline' | 'socketio';
const IMPLS: readonly Impl[] = logMode ? ['ours', 'baseline'] : ['ours', 'baseline', 'socketio', 'socketio-ack'];
const HOSTS: readonly Host[] = logMode ? ['ours', 'baseline'] : ['ours', 'baseline', 'socketio'];
const hostOf = (impl: Impl): Host => (impl === 'socketio-ack' ? 'socketio' : impl);
const wireOf = (host: Host): 'mc' | 'socketio' => (host === 'socketio' ? 'socketio' : 'mc');
const acksOf = (impl: Impl): boolean => impl === 'ours' || impl === 'socketio-ack' || logMode !== undefined;
/** Acks only matter where a message has one sender and one recipient; broadcast compares the relays without them. */
const implsFor = (scenario: Scenario): Impl[] => IMPLS.filter((impl) => impl !== 'socketio-ack' || scenario.mode === 'unicast');
/** The throughput search is the long part of a run: it compares ours with the minimal relay only (the target is at least its rate). */
const SEARCHED: readonly Impl[] = ['ours', 'baseline'];

interface Scenario {
  readonly key: string;
  readonly mode: Mode;
  readonly clients: number;
  /** msgs/s of the fixed moderate rate (all clients together). */
  readonly moderateRate: number;
  /** msgs/s where the throughput search starts. */
  readonly searchFrom: number;
}

// Moderate: broadcast at ~20,000 deliveries/s (100 clients × 200 msgs/s is the
// latency target's scenario); unicast at 5,000 msgs/s. Both well below what
// either relay sustains here.
const SCENARIOS: readonly Scenario[] = [
  { key: 'broadcast-100', mode: 'broadcast', clients: 100, moderateRate: 200, searchFrom: 500 },
  { key: 'unicast-100', mode: 'unicast', clients: 100, moderateRate: 5000, searchFrom: 5000 },
  { key: 'broadcast-1000', mode: 'broadcast', clients: 1000, moderateRate: 20, searchFrom: 50 },
  { key: 'unicast-1000', mode: 'unicast', clients: 1000, moderateRate: 5000, searchFrom: 5000 },
];

/** `--scenario unicast-1000,broadcast-100`: run these only (to profile one path). */
const chosen = flags.scenario ? SCENARIOS.filter((s) => flags.scenario!.split(',').includes(s.key)) : SCENARIOS;
if (chosen.length === 0) throw new TypeError(`--scenario: use some of ${SCENARIOS.map((s) => s.key).join(', ')}`);

const deliveriesPerMessage = (scenario: Scenario) => (scenario.mode === 'broadcast' ? scenario.clients - 1 : 1);

// ── processes ─────────────────────────────────────────────────────────────

const SERVER_CORE = 0;
const GENERATOR_CORE = 1;

/** Cores of the machine, read before this process pins itself to one. */
const CORES = availableParallelism();

function preflight(): void {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('bench:relay needs `taskset` (util-linux) to pin the server and the generator to their cores');
  }
  if (CORES < 2) throw new Error('bench:relay needs at least 2 CPU cores: one for the server, one for the generator');
  // The orchestrator idles on the generator's core, off the server's.
  execFileSync('taskset', ['-pc', String(GENERATOR_CORE), String(process.pid)], { stdio: 'ignore' });
}

interface Server {
  readonly impl: Impl | Host | 'floor';
  readonly child: Child;
  readonly port: number;
}

/** Extra Node flags from the environment, e.g. BENCH_SERVER_NODE_ARGS=--cpu-prof to profile the relays. */
const extraNodeArgs = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** Log folders of --log runs, removed at the end. */
const dataDirs: string[] = [];

/** The server host's arguments: in a --log run both are our relay, "ours" with a log on disk. */
function hostArgs(impl: Host | 'floor'): string[] {
  if (!logMode || impl === 'floor') return ['--impl', impl];
  if (impl === 'baseline' || against) return ['--impl', 'ours'];
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-log-'));
  dataDirs.push(dir);
  return ['--impl', 'ours', '--data-dir', dir, ...(logMode === 'fsync' ? ['--fsync'] : [])];
}

async function startServer(impl: Host | 'floor'): Promise<Server> {
  const host = against && impl === 'baseline' ? resolve(against, 'bench/relay/server-host.ts') : resolve(here, 'server-host.ts');
  const child = Child.start(`${impl} relay`, SERVER_CORE, host, hostArgs(impl), [
    '--expose-gc',
    ...extraNodeArgs('BENCH_SERVER_NODE_ARGS'),
  ]);
  const { port } = await child.ready;
  // Profiles (--cpu-prof) and --trace-gc lines are named by process id: say whose is whose.
  if (process.env.BENCH_SERVER_NODE_ARGS) process.stderr.write(`${impl} relay: pid ${child.pid}\n`);
  return { impl, child, port: port as number };
}

// ── measurement ───────────────────────────────────────────────────────────

interface CpuWindow {
  cpuMs: number;
  wallMs: number;
  samples: Array<{ t: number; cpu: number; busy: number }>;
}

/** Server CPU and event-loop busy share over [from, to] (wall clock), interpolated from its samples. */
function serverShare(window: CpuWindow, from: number, to: number): { cpu: number; busy: number } {
  const at = (t: number, key: 'cpu' | 'busy'): number => {
    const samples = window.samples;
    if (t <= samples[0]!.t) return samples[0]![key];
    for (let i = 1; i < samples.length; i++) {
      const b = samples[i]!;
      if (b.t >= t) {
        const a = samples[i - 1]!;
        return a[key] + ((b[key] - a[key]) * (t - a.t)) / Math.max(1e-9, b.t - a.t);
      }
    }
    return samples[samples.length - 1]![key];
  };
  const span = Math.max(1, to - from);
  return { cpu: (at(to, 'cpu') - at(from, 'cpu')) / span, busy: (at(to, 'busy') - at(from, 'busy')) / span };
}

/** Waits (up to 3 s, out of the run's patience) for 300 ms in which the rest of the machine stays under 0.15 cores. */
async function waitQuiet(): Promise<void> {
  const started = Date.now();
  const deadline = started + Math.min(3000, patienceMs);
  while (Date.now() < deadline) {
    const busy0 = machineBusyMs();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    if ((machineBusyMs() - busy0) / (Date.now() - t0) < 0.15) break;
  }
  // The first 300 ms are the check itself, not waiting.
  patienceMs -= Math.max(0, Date.now() - started - 300);
}

interface Window {
  impl: Impl;
  scenario: string;
  rate: number;
  run: RunResult;
  serverCpuMs: number;
  /** Server CPU ms per 1,000 deliveries (acks not counted as deliveries). */
  cpuPer1k: number;
  /** Over the send period, as a share of one core. */
  serverCpuShare: number;
  serverLoopBusy: number;
  /** Cores' worth of CPU used by everything else on the machine during the window. */
  otherLoad: number;
  /** Other processes used more than `disturbedAbove` cores, even after retries. */
  disturbed: boolean;
  /** Runs discarded for disturbance before this one. */
  retried: number;
  ok: boolean;
  why: string[];
}

let generator: Child;

async function measureOnce(
  server: Server & { impl: Impl },
  scenario: Scenario,
  rate: number,
  seconds: number,
  drainMs = config.drainMs,
): Promise<Window> {
  await waitQuiet();
  const busy0 = machineBusyMs();
  const wall0 = Date.now();
  await server.child.call('cpuStart');
  const run = await generator.call<RunResult>('run', {
    group: hostOf(server.impl),
    mode: scenario.mode,
    rate,
    seconds,
    drainMs,
    acks: acksOf(server.impl),
  });
  const cpu = await server.child.call<CpuWindow>('cpuStop');
  const wall = Date.now() - wall0;
  const share = serverShare(cpu, run.sendStart, run.sendEnd);
  const otherLoad = Math.max(0, machineBusyMs() - busy0 - cpu.cpuMs - run.generatorCpuMs) / wall;
  const why: string[] = [];
  if (run.closes > 0) why.push(`${run.closes} clients cut off`);
  if (run.delivered < run.expected) why.push(`${run.expected - run.delivered} deliveries lost`);
  if (run.delivered > run.expected) why.push(`${run.delivered - run.expected} unexpected deliveries`);
  if (run.acks < run.expectedAcks) why.push(`${run.expectedAcks - run.acks} acks missing`);
  if (run.errors > 0) why.push(`${run.errors} errors (${run.firstError})`);
  if (run.achievedRate < rate * 0.97) why.push(`generator sent only ${Math.round(run.achievedRate)}/s`);
  if (!(run.latency.p99 <= config.p99LimitMs)) why.push(`p99 ${run.latency.p99} ms`);
  return {
    impl: server.impl,
    scenario: scenario.key,
    rate,
    run,
    serverCpuMs: cpu.cpuMs,
    cpuPer1k: (cpu.cpuMs / Math.max(1, run.delivered)) * 1000,
    serverCpuShare: share.cpu,
    serverLoopBusy: share.busy,
    otherLoad,
    disturbed: otherLoad > config.disturbedAbove,
    retried: 0,
    ok: why.length === 0,
    why,
  };
}

/**
 * Measures; runs again (up to `config.retries` times) when other processes
 * disturbed the window, or — with `onlyIfFailed` — when a disturbed window
 * also failed. Keeps the least disturbed run.
 */
async function measure(
  server: Server & { impl: Impl },
  scenario: Scenario,
  rate: number,
  seconds: number,
  onlyIfFailed = false,
  drainMs = config.drainMs,
): Promise<Window> {
  let best = await measureOnce(server, scenario, rate, seconds, drainMs);
  for (let retried = 1; retried <= config.retries && best.disturbed && !(onlyIfFailed && best.ok) && patienceMs > 0; retried++) {
    const started = Date.now();
    const again = await measureOnce(server, scenario, rate, seconds, drainMs);
    patienceMs -= Date.now() - started;
    again.retried = retried;
    if (again.otherLoad < best.otherLoad) best = again;
    else best.retried = retried;
  }
  return best;
}

const connectGroup = (server: Server & { impl: Impl }, n: number) => {
  const host = hostOf(server.impl);
  return generator.call('connect', { group: host, port: server.port, n, wire: wireOf(host) });
};

/** Sends at the moderate rate unmeasured (JIT, buffers), then measures. */
async function moderate(server: Server & { impl: Impl }, scenario: Scenario): Promise<Window> {
  await measureOnce(server, scenario, scenario.moderateRate, config.warmSeconds);
  return measure(server, scenario, scenario.moderateRate, config.moderateSeconds);
}

/** Which side ran out: a loop busy ≥ 90% of the time never waited for work. */
function limitedBy(window: Window): string {
  const server = window.serverLoopBusy >= 0.9;
  const gen = window.run.generatorLoopBusy >= 0.9;
  if (server && gen) return 'both';
  if (server) return 'server';
  if (gen) return 'generator';
  return 'neither';
}

interface Search {
  impl: Impl;
  scenario: string;
  /** msgs/s of the fastest passing step. */
  rate: number;
  deliveriesPerSecond: number;
  /** At the first failing step above it. */
  limitedBy: string;
  failedBecause: string[];
  steps: Window[];
}

/** Raises the rate ×growth until a step fails, then bisects between the last pass and the first failure. */
async function search(server: Server & { impl: Impl }, scenario: Scenario, from: number): Promise<Search> {
  const steps: Window[] = [];
  let pass: Window | undefined;
  let fail: Window | undefined;
  const step = async (rate: number): Promise<Window> => {
    let window = await measure(server, scenario, Math.round(rate), config.stepSeconds, true, config.stepDrainMs);
    steps.push(window);
    // A step that lost nothing and kept to schedule but missed on p99 alone is
    // run once more before it counts: one stall of this VM can do that.
    if (!window.ok && window.why.every((reason) => reason.startsWith('p99'))) {
      window = await measure(server, scenario, Math.round(rate), config.stepSeconds, true, config.stepDrainMs);
      steps.push(window);
    }
    // A failed step can leave clients cut off or a backlog behind: start the next one clean.
    if (!window.ok && (window.run.closes > 0 || window.run.delivered < window.run.expected || window.run.acks < window.run.expectedAcks)) {
      await connectGroup(server, scenario.clients);
    }
    return window;
  };
  let rate = from;
  while (steps.length < config.maxSteps) {
    const window = await step(rate);
    if (window.ok) {
      pass = window;
      if (fail) break;
      rate *= config.growth;
    } else {
      fail = window;
      if (pass) break;
      rate /= config.growth;
    }
  }
  for (let i = 0; i < config.bisections && pass && fail && fail.rate / pass.rate > 1.08; i++) {
    const window = await step(Math.sqrt(pass.rate * fail.rate));
    if (window.ok) pass = window;
    else fail = window;
  }
  return {
    impl: server.impl,
    scenario: scenario.key,
    rate: pass?.rate ?? 0,
    deliveriesPerSecond: (pass?.rate ?? 0) * deliveriesPerMessage(scenario),
    limitedBy: fail ? limitedBy(fail) : 'not reached',
    failedBecause: fail?.why ?? [],
    steps,
  };
}

interface Memory {
  impl: Host;
  clients: number;
  /** Resident memory (RSS) growth per connection, after a forced GC. */
  rssPerConnection: number;
  /** Heap used + external (Buffers) growth per connection, after a forced GC. */
  heapPerConnection: number;
  /** Of the RSS growth, how much V8's heap spaces took (committed), per connection: the rest is native (sockets, allocator) or pages V8 keeps outside its spaces. */
  heapCommittedPerConnection: number;
  /**
   * RSS growth per connection from `n` to `2n` idle connections (measured for
   * n ≤ 1,000): what one more connection costs once the process has grown
   * for the first `n`, without the one-time growth the first fill includes.
   */
  rssMarginalPerConnection: number;
}

interface Usage {
  memory: NodeJS.MemoryUsage;
  /** Committed bytes of every V8 heap space. */
  committed: number;
}

/**
 * A fresh relay process, warmed up with a small fill (code compiled, pools
 * made), then `n` idle welcomed clients: what its resident memory and its
 * heap grew by, per connection, each measured after a forced GC once the
 * relay has gone idle. RSS includes what the heap and the allocator kept
 * from the fill's own garbage (handshakes; ours also sends every client the
 * join notice of each later one), which a real relay keeps too.
 */
async function memory(host: Host, n: number): Promise<Memory> {
  const server = await startServer(host);
  const usage = async () => {
    await server.child.call('settle');
    return server.child.call<Usage>('memory');
  };
  const wire = wireOf(host);
  try {
    await generator.call('connect', { group: 'memory', port: server.port, n: config.memoryWarmClients, wire });
    await generator.call('close', { group: 'memory' });
    const before = await usage();
    // Each arrival costs ours a roster and a notice to everyone already there: the last of 10,000 wait a while.
    await generator.call('connect', { group: 'memory', port: server.port, n, wire, timeout: 600_000 });
    const after = await usage();
    let marginal = NaN;
    if (n <= 1000) {
      await generator.call('connect', { group: 'memory-more', port: server.port, n, wire, timeout: 600_000 });
      marginal = ((await usage()).memory.rss - after.memory.rss) / n;
      await generator.call('close', { group: 'memory-more' });
    }
    await generator.call('close', { group: 'memory' });
    return {
      rssMarginalPerConnection: marginal,
      impl: host,
      clients: n,
      rssPerConnection: (after.memory.rss - before.memory.rss) / n,
      heapPerConnection: (after.memory.heapUsed + after.memory.external - before.memory.heapUsed - before.memory.external) / n,
      heapCommittedPerConnection: (after.committed - before.committed) / n,
    };
  } finally {
    await server.child.stop();
  }
}

// ── report ────────────────────────────────────────────────────────────────

function socketIoVersion(): string {
  return (JSON.parse(readFileSync(resolve(root, 'node_modules/socket.io/package.json'), 'utf8')) as { version: string }).version;
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const fmtInt = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');

interface Row {
  scenario: string;
  metric: string;
  values: Partial<Record<Impl, string>>;
  /** ours / minimal ws relay (in a --log run: disk / memory). */
  ratio: number;
  /** ours / Socket.IO with acks where it was measured, else ours / Socket.IO. */
  ratioSocketIo?: number;
  target?: string;
  verdict?: string;
}

const COLUMN: Record<Impl, string> = logMode
  ? { ours: LABELS.ours, baseline: LABELS.baseline, socketio: '', 'socketio-ack': '' }
  : { ours: 'ours', baseline: 'ws', socketio: 'Socket.IO', 'socketio-ack': 'S.IO+acks' };

function table(rows: Row[]): string {
  const header = ['scenario', 'metric', ...IMPLS.map((impl) => COLUMN[impl]), against ? 'this/against' : logMode ? 'disk/mem' : 'ours/ws', ...(logMode ? [] : ['ours/S.IO']), 'target'];
  const cells = rows.map((r) => [
    r.scenario,
    r.metric,
    ...IMPLS.map((impl) => r.values[impl] ?? ''),
    fmt(r.ratio),
    ...(logMode ? [] : [r.ratioSocketIo === undefined ? '' : fmt(r.ratioSocketIo)]),
    r.target ? `${r.target} ${r.verdict}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = (i: number) => i >= 2 && i < header.length - 1;
  const line = (c: string[]) => c.map((x, i) => (numeric(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The median and, with more than one run, the range: "12.3 (11.9–13.0)". */
function spread(values: number[], digits = 2, scale = 1): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '—';
  const med = fmt(median(finite) / scale, digits);
  if (finite.length === 1) return med;
  return `${med} (${fmt(Math.min(...finite) / scale, digits)}–${fmt(Math.max(...finite) / scale, digits)})`;
}

// ── main ──────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  preflight();
  const started = Date.now();
  const log = (text: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${text}\n`);
  log(
    `bench:relay${quick ? ' --quick' : ''}: server on CPU ${SERVER_CORE}, generator on CPU ${GENERATOR_CORE}, ` +
      `${config.moderateReps} alternating run(s) per relay at the moderate rate, ${config.reps} of the rest`,
  );

  generator = Child.start('generator', GENERATOR_CORE, resolve(here, 'load.ts'), [], extraNodeArgs('BENCH_GENERATOR_NODE_ARGS'));
  await generator.ready;

  const floorServer = await startServer('floor');
  const floor = await generator.call<LatencySummary>('floor', { port: floorServer.port, sockets: 100, rate: 200, seconds: config.floorSeconds });
  await floorServer.child.stop();
  log(`machine latency floor (bare TCP fan-out to 99 sockets, 200/s): p50 ${floor.p50} ms, p99 ${floor.p99} ms`);

  const hosts = {} as Record<Host, Server>;
  for (const host of HOSTS) hosts[host] = await startServer(host);
  const servers = {} as Record<Impl, Server & { impl: Impl }>;
  for (const impl of IMPLS) servers[impl] = { ...hosts[hostOf(impl)], impl };

  const moderateWindows: Window[] = [];
  const searches: Search[] = [];
  for (const clients of parts.has('moderate') || parts.has('sustained') ? [100, 1000] : []) {
    for (const host of HOSTS) await connectGroup(servers[host], clients);
    const scenarios = chosen.filter((s) => s.clients === clients);
    if (scenarios.length === 0) continue;
    for (const scenario of parts.has('moderate') ? scenarios : []) {
      for (let rep = 0; rep < config.moderateReps; rep++) {
        for (const impl of implsFor(scenario)) {
          const window = await moderate(servers[impl], scenario);
          moderateWindows.push(window);
          log(
            `${scenario.key} @${scenario.moderateRate}/s ${impl}: ${fmt(window.cpuPer1k)} CPU ms/1k, p50 ${window.run.latency.p50} p99 ${window.run.latency.p99} ms` +
              (window.ok ? '' : ` (${window.why.join(', ')})`),
          );
        }
      }
    }
    for (const scenario of parts.has('sustained') ? scenarios : []) {
      const previous: Partial<Record<Impl, number>> = {};
      for (let rep = 0; rep < config.reps; rep++) {
        for (const impl of SEARCHED) {
          const from = previous[impl] ? previous[impl]! * 0.6 : scenario.searchFrom;
          const result = await search(servers[impl], scenario, from);
          if (result.rate > 0) previous[impl] = result.rate;
          searches.push(result);
          log(
            `${scenario.key} sustained ${impl}: ${fmtInt(result.deliveriesPerSecond)} deliveries/s (${fmtInt(result.rate)} msgs/s), ` +
              `then limited by ${result.limitedBy}: ${result.failedBecause.join(', ')} [${result.steps.length} steps]`,
          );
        }
      }
    }
    for (const host of HOSTS) await generator.call('close', { group: host });
  }
  for (const host of HOSTS) await hosts[host].child.stop();

  const memories: Memory[] = [];
  for (const n of parts.has('memory') ? config.memoryClients : []) {
    for (let rep = 0; rep < config.memoryReps; rep++) {
      for (const host of HOSTS) {
        const t0 = Date.now();
        const result = await memory(host, n);
        memories.push(result);
        log(
          `memory ${host}, ${fmtInt(n)} idle: per connection ${fmt(result.rssPerConnection / 1024)} KiB RSS ` +
            `(${fmt(result.heapCommittedPerConnection / 1024)} of it V8 heap), ${fmt(result.heapPerConnection / 1024)} KiB heap used+external, ` +
            `${fmt(result.rssMarginalPerConnection / 1024)} KiB RSS per connection from ${fmtInt(n)} to ${fmtInt(2 * n)} [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
        );
      }
    }
  }
  await generator.stop();

  // ── summary ──
  const rows: Row[] = [];
  const summary: Record<string, unknown> = {};
  const verdict = (ok: boolean, ...figures: number[]) => (figures.some((f) => !Number.isFinite(f)) ? '—' : ok ? 'met' : 'MISSED');
  const perImpl = <T>(pick: (impl: Impl) => T): Partial<Record<Impl, T>> => Object.fromEntries(IMPLS.map((impl) => [impl, pick(impl)]));
  for (const scenario of chosen) {
    const impls = implsFor(scenario);
    const of = (impl: Impl) => moderateWindows.filter((w) => w.scenario === scenario.key && w.impl === impl);
    const all = (impl: Impl, pick: (w: Window) => number) => of(impl).map(pick);
    const med = (impl: Impl, pick: (w: Window) => number) => median(all(impl, pick));
    const cells = (pick: (w: Window) => number, digits: number) =>
      Object.fromEntries(impls.map((impl) => [impl, spread(all(impl, pick), digits)])) as Partial<Record<Impl, string>>;
    const versus = impls.includes('socketio-ack') ? 'socketio-ack' : 'socketio';
    const ratios = (pick: (w: Window) => number) => ({
      ratio: med('ours', pick) / med('baseline', pick),
      ...(logMode ? {} : { ratioSocketIo: med('ours', pick) / med(versus, pick) }),
    });
    const cpu = (w: Window) => w.cpuPer1k;
    const found = (impl: Impl) => searches.filter((s) => s.scenario === scenario.key && s.impl === impl);
    const sustained = (impl: Impl) => median(found(impl).map((s) => s.deliveriesPerSecond));
    const limits = (impl: Impl) => found(impl).map((s) => s.limitedBy).join('/');
    const at = `@${scenario.moderateRate} msg/s`;
    const cpuRatio = ratios(cpu);
    // Issue 15's targets: unicast with its ack within 1.3× of the relay that acks nothing and at most Socket.IO with acks; broadcast at 0.8× or less.
    const cpuTarget =
      scenario.mode === 'unicast'
        ? { target: '≤ 1.30× ws, ≤ 1.00× S.IO+acks', verdict: verdict(cpuRatio.ratio <= 1.3 && (cpuRatio.ratioSocketIo ?? 0) <= 1, cpuRatio.ratio, cpuRatio.ratioSocketIo ?? 0) }
        : { target: '≤ 0.80× ws', verdict: verdict(cpuRatio.ratio <= 0.8, cpuRatio.ratio) };
    rows.push({ scenario: scenario.key, metric: `server CPU ms / 1k deliveries ${at}`, values: cells(cpu, 1), ...cpuRatio, ...(logMode ? {} : cpuTarget) });
    const p50 = (w: Window) => w.run.latency.p50;
    const p99 = (w: Window) => w.run.latency.p99;
    rows.push({ scenario: '', metric: `p50 latency ms ${at}`, values: cells(p50, 2), ...ratios(p50) });
    const p99Target = scenario.key === 'broadcast-100' && !logMode;
    rows.push({
      scenario: '',
      metric: `p99 latency ms ${at}`,
      values: cells(p99, 2),
      ...ratios(p99),
      ...(p99Target ? { target: '≤ 2 ms', verdict: verdict(med('ours', p99) <= 2, med('ours', p99)) } : {}),
    });
    const rate = { ratio: sustained('ours') / sustained('baseline') };
    rows.push({
      scenario: '',
      metric: 'sustained deliveries/s (p99 ≤ 100 ms, none lost)',
      values: Object.fromEntries(SEARCHED.map((impl) => [impl, fmtInt(sustained(impl))])),
      ...rate,
      ...(scenario.mode === 'unicast' && !logMode ? { target: '≥ 1.00× ws', verdict: verdict(rate.ratio >= 1, rate.ratio) } : {}),
    });
    rows.push({ scenario: '', metric: '  beyond that, out of CPU', values: Object.fromEntries(SEARCHED.map((impl) => [impl, limits(impl)])), ratio: NaN });
    summary[scenario.key] = {
      moderateRate: scenario.moderateRate,
      cpuPer1k: perImpl((impl) => all(impl, cpu)),
      p50: perImpl((impl) => med(impl, p50)),
      p99: perImpl((impl) => med(impl, p99)),
      sustainedDeliveriesPerSecond: perImpl((impl) => found(impl).map((s) => s.deliveriesPerSecond)),
      limitedBy: perImpl(limits),
    };
  }
  if (parts.has('memory')) {
    for (const n of config.memoryClients) {
      const of = (host: Host, pick: (m: Memory) => number) => memories.filter((m) => m.impl === host && m.clients === n).map(pick);
      const row = (metric: string, pick: (m: Memory) => number, target?: number): Row => {
        const ratio = median(of('ours', pick)) / median(of('baseline', pick));
        return {
          scenario: metric.startsWith(' ') ? '' : `idle-${n}`,
          metric,
          values: Object.fromEntries(HOSTS.map((host) => [host, spread(of(host, pick), 1, 1024)])),
          ratio,
          ...(logMode ? {} : { ratioSocketIo: median(of('ours', pick)) / median(of('socketio', pick)) }),
          ...(target && !logMode ? { target: `≤ ${target.toFixed(2)}× ws`, verdict: verdict(ratio <= target, ratio) } : {}),
        };
      };
      rows.push(row('KiB RSS per idle connection', (m) => m.rssPerConnection, 1.15));
      rows.push(row('  of which V8 heap (committed)', (m) => m.heapCommittedPerConnection));
      if (n <= 1000) rows.push(row(`  KiB RSS per connection from ${fmtInt(n)} to ${fmtInt(2 * n)}`, (m) => m.rssMarginalPerConnection));
      rows.push(row('  KiB heap used + external', (m) => m.heapPerConnection));
      summary[`idle-${n}`] = perImpl((impl) => memories.filter((m) => m.impl === impl && m.clients === n));
    }
  }

  const allWindows = [...moderateWindows, ...searches.flatMap((s) => s.steps)];
  const otherLoad = median(allWindows.map((w) => w.otherLoad));
  const maxOther = Math.max(...allWindows.map((w) => w.otherLoad));
  const notes = [
    against
      ? `${LABELS.ours}: the Message Center relay of this checkout; ${LABELS.baseline}: the one in ${against}; both with the log in memory, both send acks.`
      : logMode
      ? `${LABELS.ours}: the Message Center relay with --data-dir${logMode === 'fsync' ? ' --fsync' : ''} (one write() per message before its ack${logMode === 'fsync' ? ', then fdatasync' : ''}); ${LABELS.baseline}: the same relay with its log in memory (the default); both send acks.`
      : `ours: the Message Center relay (validation, log, presence, rate limits lifted, an ack to every send); ws: a minimal ws relay (bench/relay/baseline-relay.ts) — same frames, no acks, no validation; Socket.IO: the same minimal relay on Socket.IO ${socketIoVersion()} (bench/relay/socketio-relay.ts), WebSocket transport, its clients emitting without and (S.IO+acks) with an ack callback.`,
    `Server pinned to CPU ${SERVER_CORE}, generator to CPU ${GENERATOR_CORE}; medians (and ranges) of ${config.moderateReps} alternating runs per relay at the moderate rate, of ${config.reps} for the sustained rate (ours and ws only), of ${config.memoryReps} for memory; moderate windows ${config.moderateSeconds} s after ${config.warmSeconds} s warm-up; search steps ${config.stepSeconds} s.`,
    `"out of CPU": whose event loop was busy ≥ 90% of the first failing step (server / generator / both / neither).`,
    `Memory: growth of a fresh relay process (warmed up with ${config.memoryWarmClients} clients) filled with idle welcomed clients, after a forced GC once idle; RSS includes what the heap and the allocator keep from the fill's garbage (ours also announces each arrival to everyone already there).`,
    `Machine latency floor for broadcast-100 @200 msg/s: a bare TCP server copying 8-byte stamps to the 99 other sockets, no framing or parsing, same cores: p50 ${floor.p50} ms, p99 ${floor.p99} ms.`,
    `Other processes on the machine: median ${fmt(otherLoad)} cores during the windows kept, max ${fmt(maxOther)}; ` +
      `${allWindows.filter((w) => w.retried > 0).length} windows were re-run for disturbance (> ${config.disturbedAbove} cores), ${allWindows.filter((w) => w.disturbed).length} still disturbed` +
      (patienceMs <= 0 ? ` (the run's ${config.patienceSeconds} s of patience for that ran out).` : '.'),
  ];

  if (!parts.has('memory')) notes.splice(notes.findIndex((n) => n.startsWith('Memory: ')), 1);
  const output = [
    '',
    `${against ? `Message Center relay: this checkout vs ${against}` : logMode ? `Message Center relay, log on disk${logMode === 'fsync' ? ' with fsync' : ''} vs log in memory` : 'Message Center relay vs a minimal ws relay and Socket.IO'} — ${cpus()[0]?.model ?? 'unknown CPU'} × ${CORES}, Node ${process.version}${quick ? ' (QUICK smoke run: short windows, one run each)' : ''}`,
    '',
    table(rows),
    '',
    ...notes.map((n) => `· ${n}`),
    '',
  ].join('\n');
  process.stdout.write(output);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = resolve(root, '.bench', `relay${against ? '-against' : logMode ? `-log-${logMode}` : ''}-${stamp}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        quick,
        config,
        machine: { cpu: cpus()[0]?.model, cores: CORES, node: process.version, kernel: release() },
        latencyFloor: floor,
        summary,
        table: rows,
        notes,
        moderate: moderateWindows,
        searches,
        memory: memories,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`Results: ${file}\n`);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:relay failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
