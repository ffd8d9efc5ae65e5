// Fuzzes a live relay: many attacker connections (v1 before and after hello,
// legacy, raw sockets) pipeline random and mutated frames at a relay in its
// own process, while well-behaved clients in another process keep chatting.
// Reports what was sent, how the relay answered (errors by code, closes by
// code), its memory, and how the chatters fared. Used by `npm run fuzz` and,
// smaller, by test/node/relay-fuzz.test.ts.
import { fork, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';
import type { RelayServerOptions } from '../../src/server/index.js';
import { rawWebSocket } from '../support/raw-socket.js';
import { FrameGenerator, seeded, type FuzzFrame } from './frames.js';

export interface FuzzOptions {
  /** Frames to send in all. */
  frames: number;
  seed?: number;
  /** Attacker connections at once. Default 33 (12 of them raw sockets). */
  attackers?: number;
  /** Well-behaved clients, and how often each sends (ms). Default 4, every 50 ms. */
  chatters?: number;
  chatInterval?: number;
  /** Relay options on top of the fuzzing ones. */
  relay?: Partial<RelayServerOptions>;
  onProgress?: (sent: number) => void;
}

export interface FuzzReport {
  frames: number;
  seconds: number;
  seed: number;
  relayOptions: Partial<RelayServerOptions>;
  byKind: Record<string, number>;
  /** Frames the relay answered, by what it answered: error codes, and acks, pongs, welcomes. */
  answers: Record<string, number>;
  /** Attacker connections closed by the relay, by code and reason. */
  closes: Record<string, number>;
  connections: number;
  relay: {
    alive: boolean;
    peakRss: number;
    peakHeapUsed: number;
    baselineHeapAfterGc: number;
    finalHeapAfterGc: number;
    finalRss: number;
    connectionsAtEnd: number;
  };
  chatters: {
    sent: number;
    expected: number;
    received: number;
    duplicates: number;
    outOfOrder: number;
    refused: number;
    noise: number;
    disconnects: number;
    latency: { p50: number; p99: number; max: number };
  };
}

type Dialect = 'v1' | 'v1-prehello' | 'legacy' | 'raw';
const DIALECTS: Dialect[] = ['v1', 'v1', 'v1', 'v1-prehello', 'v1-prehello', 'legacy', 'legacy', 'raw', 'raw', 'raw', 'raw'];

/**
 * The relay under fuzz: the rate limit and flood protection lifted so that
 * nearly every frame reaches the decoder and is answered (relay-attack.test.ts
 * tests those limits); every other limit at its default.
 */
export const FUZZ_RELAY_OPTIONS: Partial<RelayServerOptions> = {
  trustProxy: 'loopback',
  maxMessagesPerSecond: 100_000,
  burst: 100_000,
  floodThreshold: 1_000_000,
};

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function spawnChild(file: string, args: string[]): ChildProcess {
  // Not a test process: node:test's context variable would make it report to the runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return fork(here(file), args, { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...env, NODE_ENV: 'production' } });
}

function nextMessage<T>(child: ChildProcess, type: string, timeout = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from ${child.spawnargs.join(' ')} within ${timeout} ms`)), timeout);
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code}) before ${type}`)));
  });
}

const count = (tally: Record<string, number>, key: string, n = 1) => {
  tally[key] = (tally[key] ?? 0) + n;
};

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 3000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

export async function runRelayFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const seed = options.seed ?? Date.now() % 2 ** 31;
  const relayOptions = { ...FUZZ_RELAY_OPTIONS, ...options.relay };
  const maxFrameBytes = relayOptions.maxFrameBytes ?? 64 * 1024;
  const generator = new FrameGenerator(seeded(seed), maxFrameBytes);
  const byKind: Record<string, number> = {};
  const answers: Record<string, number> = {};
  const closes: Record<string, number> = {};
  let sent = 0;
  // Raw sockets send a few frames each and wait for the relay to close them: they get their own share.
  const rawQuota = Math.round(options.frames * 0.02);
  let rawSent = 0;
  const more = (dialect: Dialect) => (dialect === 'raw' ? rawSent < rawQuota : sent - rawSent < options.frames - rawQuota);
  let connections = 0;
  let stopping = false;

  const host = spawnChild('./relay-host.ts', [JSON.stringify(relayOptions)]);
  const samples = { peakRss: 0, peakHeapUsed: 0 };
  host.on('message', (message: { type: string; rss?: number; heapUsed?: number }) => {
    if (message.rss !== undefined) samples.peakRss = Math.max(samples.peakRss, message.rss);
    if (message.heapUsed !== undefined) samples.peakHeapUsed = Math.max(samples.peakHeapUsed, message.heapUsed);
  });
  const ready = await nextMessage<{ port: number; heapUsed: number }>(host, 'ready');
  const port = ready.port;
  const chatters = spawnChild('./chatters.ts', [String(port), String(options.chatters ?? 4), String(options.chatInterval ?? 50)]);
  await nextMessage(chatters, 'ready');
  const started = Date.now();

  const onAnswer = (raw: WebSocket.RawData) => {
    let frame: { type?: string; code?: string; data?: { error?: string } };
    try {
      frame = JSON.parse(raw.toString()) as typeof frame;
    } catch {
      count(answers, 'unparseable');
      return;
    }
    if (frame.type === 'error') count(answers, `error ${frame.code}`);
    else if (frame.type) count(answers, `frame ${frame.type}`);
    else if (frame.data && typeof frame.data === 'object' && typeof frame.data.error === 'string') count(answers, `error ${frame.data.error} (legacy format)`);
    else count(answers, 'frame message (legacy format)');
  };

  /** One attacker slot: connects, pipelines frames while the socket keeps up, reconnects when closed. */
  async function attacker(slot: number): Promise<void> {
    const dialect = DIALECTS[slot % DIALECTS.length]!;
    const address = `203.0.113.${(slot % 250) + 1}`;
    while (!stopping && more(dialect)) {
      connections++;
      if (dialect === 'raw') {
        await rawAttack(address);
        continue;
      }
      await new Promise<void>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/`, dialect === 'legacy' ? [] : [SUBPROTOCOL_V1], {
          headers: { 'x-forwarded-for': address },
          maxPayload: 1024 * 1024,
        });
        let closed = false;
        let hungUp = false;
        socket.on('message', onAnswer);
        socket.on('error', () => {});
        socket.once('close', (code, reason) => {
          closed = true;
          if (!hungUp) count(closes, `${code} ${reason.toString() || '(no reason)'}`);
          resolve();
        });
        socket.once('open', () => {
          if (dialect === 'v1') socket.send(JSON.stringify({ type: 'hello', name: `attacker-${slot}` }));
          const pump = () => {
            if (closed) return;
            if (stopping || !more(dialect)) {
              hungUp = true;
              socket.close();
              return;
            }
            let burst = 0;
            while (socket.bufferedAmount < 256 * 1024 && burst++ < 64 && more(dialect)) {
              const frame = generator.next();
              count(byKind, frame.kind);
              sent++;
              if (frame.fatal) fatal.push(oneShot(frame, address));
              else socket.send(frame.payload, { binary: frame.binary ?? false });
            }
            options.onProgress?.(sent);
            setImmediate(pump);
          };
          pump();
        });
      });
    }
  }

  /** A frame the relay closes the connection for, on a connection of its own. */
  const fatal: Array<Promise<void>> = [];
  function oneShot(frame: FuzzFrame, address: string): Promise<void> {
    connections++;
    return new Promise((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/`, [SUBPROTOCOL_V1], { headers: { 'x-forwarded-for': address } });
      socket.on('message', onAnswer);
      socket.on('error', () => {});
      socket.once('open', () => socket.send(frame.payload, { binary: frame.binary ?? false }));
      socket.once('close', (code, reason) => {
        count(closes, `${code} ${reason.toString() || '(no reason)'}`);
        resolve();
      });
    });
  }

  /** A raw socket: the handshake, a few frames no library would send, then what the relay does about them. */
  async function rawAttack(address: string): Promise<void> {
    let socket: Socket;
    try {
      socket = await rawWebSocket(port, SUBPROTOCOL_V1, { 'x-forwarded-for': address });
    } catch {
      count(closes, 'raw: upgrade refused');
      return;
    }
    await new Promise<void>((resolve) => {
      let reply = Buffer.alloc(0);
      const done = () => {
        // The relay's close frame, if it sent one: 0x88, a length, then the code.
        const at = reply.indexOf(0x88);
        const code = at >= 0 && reply.length >= at + 4 ? reply.readUInt16BE(at + 2) : undefined;
        count(closes, code ? `${code} (raw socket)` : 'dropped (raw socket)');
        socket.destroy();
        resolve();
      };
      socket.on('data', (chunk: Buffer) => (reply = Buffer.concat([reply, chunk]).subarray(-4096)));
      socket.once('close', done);
      socket.resume();
      let last = '';
      for (let i = 1 + Math.floor(Math.random() * 3); i > 0 && more('raw'); i--) {
        const { kind, bytes } = generator.rawFrame();
        count(byKind, kind);
        sent++;
        rawSent++;
        last = kind;
        socket.write(bytes);
      }
      if (last === '') {
        // The run ended while it connected.
        socket.removeAllListeners('close');
        socket.destroy();
        resolve();
        return;
      }
      // An incomplete frame leaves the relay waiting for the rest (the heartbeat drops such a peer):
      // give it a moment, then hang up.
      setTimeout(() => {
        if (!socket.destroyed) {
          count(closes, `still open 0.5 s after ${last}, waiting for the rest of a frame (raw socket)`);
          socket.removeAllListeners('close');
          socket.destroy();
          resolve();
        }
      }, 500).unref();
    });
  }

  const slots = Array.from({ length: options.attackers ?? 33 }, (_, slot) => attacker(slot));
  await Promise.all(slots);
  await Promise.all(fatal);
  stopping = true;
  const seconds = (Date.now() - started) / 1000;

  chatters.send({ type: 'stop' });
  const chat = await nextMessage<FuzzReport['chatters'] & { type: string }>(chatters, 'report');
  const alive = await healthy(port);
  // A socket the relay paused (its frames waiting for rate-limit tokens) reads its close only when it
  // reads again: the attackers' connections are let go within seconds, not at once.
  const settleBy = Date.now() + 10_000;
  let final: { heapUsed: number; rss: number; connections: number };
  do {
    host.send({ type: 'gc' });
    final = await nextMessage<{ heapUsed: number; rss: number; connections: number }>(host, 'gc');
  } while (final.connections > 0 && Date.now() < settleBy && (await new Promise((resolve) => setTimeout(resolve, 200, true))));
  host.send({ type: 'stop' });
  await new Promise((resolve) => host.once('exit', resolve));
  const { type: _, ...chatterReport } = chat;
  return {
    frames: sent,
    seconds,
    seed,
    relayOptions,
    byKind,
    answers,
    closes,
    connections,
    relay: {
      alive,
      peakRss: samples.peakRss,
      peakHeapUsed: samples.peakHeapUsed,
      baselineHeapAfterGc: ready.heapUsed,
      finalHeapAfterGc: final.heapUsed,
      finalRss: final.rss,
      connectionsAtEnd: final.connections,
    },
    chatters: chatterReport,
  };
}

const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const table = (tally: Record<string, number>) =>
  Object.entries(tally)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `    ${String(n).padStart(8)}  ${key}`)
    .join('\n');

const errorCount = (report: FuzzReport) => Object.entries(report.answers).reduce((sum, [key, n]) => (key.startsWith('error ') ? sum + n : sum), 0);

/** The report as people read it. */
export function formatReport(report: FuzzReport): string {
  const c = report.chatters;
  return [
    `fuzzed a live relay: ${report.frames.toLocaleString('en-US')} frames in ${report.seconds.toFixed(1)} s over ${report.connections.toLocaleString('en-US')} attacker connections (seed ${report.seed})`,
    `relay options: ${JSON.stringify(report.relayOptions)} (every other limit at its default)`,
    `frames sent, by kind:`,
    table(report.byKind),
    `answers from the relay (${errorCount(report).toLocaleString('en-US')} errors, to ${((100 * errorCount(report)) / report.frames).toFixed(1)}% of the frames; the rest: frames it routed to attackers, acks, pongs, presence):`,
    table(report.answers),
    `attacker connections closed, by code:`,
    table(report.closes),
    `relay: ${report.relay.alive ? 'up (healthz 200)' : 'DOWN'}; peak RSS ${MB(report.relay.peakRss)}, peak heap ${MB(report.relay.peakHeapUsed)}; heap after GC ${MB(report.relay.baselineHeapAfterGc)} at start, ${MB(report.relay.finalHeapAfterGc)} at the end (RSS ${MB(report.relay.finalRss)}, ${report.relay.connectionsAtEnd} connections left)`,
    `well-behaved clients: ${c.sent.toLocaleString('en-US')} messages sent, ${c.received.toLocaleString('en-US')}/${c.expected.toLocaleString('en-US')} deliveries, ${c.duplicates} duplicates, ${c.outOfOrder} out of order, ${c.refused} refused, ${c.disconnects} disconnected; latency p50 ${c.latency.p50} ms, p99 ${c.latency.p99} ms, max ${c.latency.max} ms; ${c.noise.toLocaleString('en-US')} attacker messages received alongside`,
  ].join('\n');
}
