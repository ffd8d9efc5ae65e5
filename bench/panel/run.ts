// bench:panel — the chat panel against a plain list, in headless Chromium,
// in the same run. Prints medians and the panel/baseline ratio.
//   npm run bench:panel            (builds first)
//   npm run bench:panel -- --quick (1 round, 3 s of streaming)
//   npm run bench:panel -- --only=long (only the long-text cases; or render | stream | room)
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { createRelayServer } from '../../src/server/index.js';
import { Crowd } from '../../test/support/crowd.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const runs = (part: 'render' | 'stream' | 'long' | 'room') => only === undefined || only === part;
const rounds = quick ? 1 : 5;
const streamSeconds = quick ? 3 : 10;
const rate = 1000; // messages per second while streaming
const historySize = 10_000;
const root = resolve(import.meta.dirname, '../..');

const relay = await createRelayServer({
  port: 0,
  host: '127.0.0.1',
  logger: false,
  maxMessagesPerSecond: 5000,
  burst: 5000,
  static: {
    root: resolve(import.meta.dirname),
    files: {
      '/message-center.min.js': resolve(root, 'dist/message-center.min.js'),
      '/': resolve(import.meta.dirname, 'page.html'),
      // The demo page as `npm start` serves it, to measure the long texts where they were first seen slow.
      '/demo/': resolve(root, 'demo/index.html'),
      '/demo/demo.js': resolve(root, 'demo/demo.js'),
      '/demo/demo.css': resolve(root, 'demo/demo.css'),
    },
  },
});
const wsUrl = relay.url;
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, permissions: ['clipboard-read', 'clipboard-write'] });
// tsx (esbuild keepNames) wraps functions passed to evaluate() in a __name helper the page lacks.
await context.addInitScript('globalThis.__name = (fn) => fn');
const page = await context.newPage();
page.on('pageerror', (error) => console.error('page error:', error.message));
await page.goto(`http://127.0.0.1:${relay.port}/`);
await page.waitForFunction(() => 'bench' in window);

type Kind = 'panel' | 'baseline';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// ── 1. first render of a 10,000-message history ────────────────────────────
// Traced (every task of the renderer's main thread; see `traced` below), with
// the messages made and the empty panel rendered beforehand.
type RenderFigures = { first: number; ms: number; nodes: number; longtasks: number; longFrames: number; longestTask: number; longestCpu: number };
const render: Record<Kind, RenderFigures[]> = { panel: [], baseline: [] };
for (let round = 0; round < (runs('render') ? rounds : 0); round++) {
  for (const kind of (round % 2 ? ['baseline', 'panel'] : ['panel', 'baseline']) as Kind[]) {
    await page.evaluate(([kind, count]) => (window as never as { bench: { prepare: (k: string, n: number) => Promise<void> } }).bench.prepare(kind, count), [kind, historySize] as const);
    const result = await traced(page, () =>
      page.evaluate(() => (window as never as { bench: { render: () => Promise<Omit<RenderFigures, 'longestTask' | 'longestCpu'>> } }).bench.render()),
    );
    render[kind].push(result);
  }
}

// ── 2. streaming 1,000 messages a second ───────────────────────────────────
async function writer(): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, ['message-center.v1']);
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'hello', name: 'writer' }));
  await new Promise((resolve) => socket.once('message', resolve));
  return socket;
}

/** Streamed message `n`, with a link in every fifth and a mention in every seventh (issue 17: the panel looks for both). */
function streamed(n: number) {
  const link = n % 5 === 0 ? ` See https://example.com/docs/${n}?page=2.` : '';
  return {
    type: 'send',
    id: `s${n}`,
    data: `${n % 7 === 0 ? '@Person 3 ' : ''}Streamed message ${n}: the quick brown fox jumps over the lazy dog.${link}`,
    ...(n % 7 === 0 ? { mentions: ['p3'] } : {}),
  };
}

async function stream(kind: Kind) {
  const socket = await writer();
  const result = page.evaluate(
    ([kind, url, seconds, expected]) =>
      (window as never as { bench: { stream: (k: string, u: string, s: number, n: number) => Promise<Record<string, number>> } }).bench.stream(kind, url, seconds, expected),
    [kind, wsUrl, streamSeconds, rate * streamSeconds] as const,
  );
  await page.waitForFunction(() => (window as never as { __ready?: boolean }).__ready === true);
  let sent = 0;
  // Traced rather than probed: a MessageChannel loop measuring the gaps between its turns kept the
  // main thread busy itself, and cost the panel and the list frames.
  const measured = await traced(page, async () => {
    const started = Date.now();
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        const due = Math.min(rate * streamSeconds, Math.floor(((Date.now() - started) / 1000) * rate));
        while (sent < due) socket.send(JSON.stringify(streamed(sent++)));
        if (sent >= rate * streamSeconds) {
          clearInterval(timer);
          done();
        }
      }, 5);
    });
    return result;
  });
  socket.close();
  return { ...measured, sent, cpuPerSecond: measured.cpu / (measured.showAllMs! / 1000) };
}

const streaming: Record<Kind, Array<Record<string, number>>> = { panel: [], baseline: [] };
for (let round = 0; round < (runs('stream') ? (quick ? 1 : 3) : 0); round++) {
  for (const kind of (round % 2 ? ['baseline', 'panel'] : ['panel', 'baseline']) as Kind[]) streaming[kind].push(await stream(kind));
}

// ── 3. the longest messages the relay accepts, shown and pasted ───────────
// Each is under the relay's 64 KB frame limit. `ordinary` is prose: words,
// punctuation, paragraphs. Task lengths come from Chromium's own tracing of
// the renderer's main thread: every task, not a sample.
const sentence = 'The quick brown fox jumps over the lazy dog, then naps in the sun; nobody minds. ';
const prose = (length: number) => Array.from({ length: 1000 }, (_, i) => sentence + (i % 8 === 7 ? '\n\n' : '')).join('').slice(0, length);
const texts = {
  word: 'W'.repeat(60_000),
  chinese: '中文的长句子没有空格可以在任何两个字之间换行，这是一段很长的测试文字。'.repeat(600).slice(0, 20_000),
  ordinary: prose(60_000),
  // Hostile: as many lines, and combining marks piled on one letter, as a frame holds (a line break is 2 bytes on the wire, a mark 2).
  lines: 'x\n'.repeat(20_000),
  marks: `Z${'\u0336'.repeat(30_000)}`,
  paste: prose(50_000),
};
/** The relay's default burst: one peer may send this many messages at once. */
const BURST = 40;
const shown = ['word', 'chinese', 'ordinary', 'lines', 'marks'] as const;
/**
 * The longest task (wall clock), the most CPU time one task took, how many took over 50 ms, and the CPU
 * time of all of them (what a busy machine does not inflate).
 */
type Tasks = { longestTask: number; longestCpu: number; longTasks: number; cpu: number };
type Figures = Tasks & { ms: number };
const longRounds = quick ? 1 : 3;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  /** CPU time of the thread: unlike `dur`, it leaves out time the thread waited for a core on a busy machine. */
  tdur?: number;
  args?: { name?: string };
}

/** Runs `during` under tracing: the longest task on a renderer's main thread, and how many took over 50 ms. */
async function traced<T extends object>(target: Page, during: () => Promise<T>): Promise<T & Tasks> {
  await browser.startTracing(target, { categories: ['toplevel'] });
  const value = await during();
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const mains = new Set(traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}/${e.tid}`));
  const tasks = traceEvents.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && mains.has(`${e.pid}/${e.tid}`));
  if (tasks.length === 0) throw new Error('bench:panel: the trace holds no renderer tasks (has Chromium renamed ThreadControllerImpl::RunTask?)');
  const wall = tasks.map((e) => (e.dur ?? 0) / 1000);
  const cpu = tasks.map((e) => (e.tdur ?? e.dur ?? 0) / 1000);
  return {
    ...value,
    longestTask: Math.max(...wall),
    longestCpu: Math.max(...cpu),
    longTasks: wall.filter((ms) => ms > 50).length,
    cpu: cpu.reduce((sum, ms) => sum + ms, 0),
  };
}

async function receiveOnce(kind: Kind, text: string, count = 1): Promise<Figures> {
  const socket = await writer();
  const result = page.evaluate(
    ([kind, url, length, count]) =>
      (window as never as { bench: { receive: (k: string, u: string, n: number, c: number) => Promise<{ ms: number }> } }).bench.receive(kind, url, length, count),
    [kind, wsUrl, text.length, count] as const,
  );
  await page.waitForFunction(() => (window as never as { __ready?: boolean }).__ready === true);
  const measured = await traced(page, async () => {
    for (let i = 0; i < count; i++) socket.send(JSON.stringify({ type: 'send', id: `long${Date.now()}-${i}`, data: text }));
    return result;
  });
  socket.close();
  return measured;
}

async function expandOnce(text: string): Promise<Figures> {
  await page.evaluate((text) => (window as never as { bench: { expandStart: (t: string) => Promise<void> } }).bench.expandStart(text), text);
  return traced(page, () => page.evaluate(() => (window as never as { bench: { expand: () => Promise<{ ms: number }> } }).bench.expand()));
}

/** A real paste (clipboard, Ctrl+V) into the composer `start` focuses. */
async function pasteOnce(target: Page, text: string, start: () => Promise<unknown>, end: () => Promise<{ ms: number }>): Promise<Figures> {
  await target.evaluate((text) => navigator.clipboard.writeText(text), text);
  await start();
  return traced(target, async () => {
    await target.keyboard.press('Control+V');
    return end();
  });
}

const long: Record<string, Record<Kind | 'demo', Figures[]>> = {};
const record = (name: string, kind: Kind | 'demo', figures: Figures) => ((long[name] ??= { panel: [], baseline: [], demo: [] })[kind].push(figures));
if (runs('long')) {
  for (let round = 0; round < longRounds; round++) {
    for (const kind of (round % 2 ? ['baseline', 'panel'] : ['panel', 'baseline']) as Kind[]) {
      for (const name of shown) {
        record(name, kind, await receiveOnce(kind, texts[name]));
        // "Show more": the panel shows the whole message; the plain list showed it whole from the start.
        if (kind === 'panel') record(`${name}:expand`, 'panel', await expandOnce(texts[name]));
      }
      record('burst', kind, await receiveOnce(kind, texts.word, BURST));
      record(
        'paste',
        kind,
        await pasteOnce(
          page,
          texts.paste,
          () => page.evaluate((kind) => (window as never as { bench: { pasteStart: (k: string) => Promise<void> } }).bench.pasteStart(kind), kind),
          () => page.evaluate((n) => (window as never as { bench: { pasteEnd: (n: number) => Promise<{ ms: number }> } }).bench.pasteEnd(n), texts.paste.length),
        ),
      );
    }
  }

  // The demo page as `npm start` serves it, where these were first seen slow:
  // two panels (the sender's and the receiver's) and the page's own log of
  // every bus event, at a laptop's size. A fresh page each round.
  const demo = await context.newPage();
  await demo.setViewportSize({ width: 1440, height: 900 });
  demo.on('pageerror', (error) => console.error('demo page error:', error.message));
  for (let round = 0; round < longRounds; round++) {
    await demo.goto(`http://127.0.0.1:${relay.port}/demo/?lang=en&theme=light`);
    await demo.waitForFunction(() => [...document.querySelectorAll('ws-chat-panel')].every((p) => (p as never as { roster: unknown[] }).roster.length === 2));
    for (const name of shown) {
      const figures = await traced(demo, () =>
        demo.evaluate(async (text) => {
          type Panel = HTMLElement & { send(data: unknown): unknown; messages: Array<{ text: string; state?: string }>; updateComplete: Promise<unknown> };
          const [sender, receiver] = [...document.querySelectorAll('ws-chat-panel')] as Panel[];
          const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
          const started = performance.now();
          sender!.send(text);
          const done = () => receiver!.messages.some((m) => m.text === text) && sender!.messages.some((m) => m.text === text && m.state === 'sent');
          while (!done()) await frame();
          await Promise.all([sender!.updateComplete, receiver!.updateComplete]);
          await frame();
          await frame();
          return { ms: performance.now() - started };
        }, texts[name]),
      );
      record(name, 'demo', figures);
    }
    record(
      'paste',
      'demo',
      await pasteOnce(
        demo,
        texts.paste,
        () =>
          demo.evaluate(() => {
            const textarea = document.querySelector('ws-chat-panel')!.shadowRoot!.querySelector('textarea')!;
            textarea.focus();
            (window as never as { __pasteStarted: number }).__pasteStarted = performance.now();
          }),
        () =>
          demo.evaluate(async (length) => {
            const panel = document.querySelector('ws-chat-panel') as HTMLElement & { updateComplete: Promise<unknown> };
            const textarea = panel.shadowRoot!.querySelector('textarea')!;
            const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
            while (textarea.value.length !== length) await frame();
            await panel.updateComplete;
            await frame();
            await frame();
            return { ms: performance.now() - (window as never as { __pasteStarted: number }).__pasteStarted };
          }, texts.paste.length),
      ),
    );
  }
  await demo.close();
}

// ── 4. a room of 1,000 ────────────────────────────────────────────────────
// A panel in a room that 1,000 real WebSocket members join (from this side,
// as the browser test's crowd does), on a relay of its own: with the relay's
// default presenceThreshold (a large room's presence batched, one frame a
// second) and, the baseline, with the threshold above the room's size (every
// join told to everyone, as in the one global room before rooms).
const ROOM_SIZE = 1000;
const roomRounds = quick ? 1 : 3;
type RoomMode = 'batched' | 'perPeer';
const thresholds: Record<RoomMode, number> = { batched: 200, perPeer: 2 * ROOM_SIZE };
type RoomFigures = Tasks & { ms: number; renders: number };
const room: Record<RoomMode, RoomFigures[]> = { batched: [], perPeer: [] };

async function roomOnce(mode: RoomMode): Promise<RoomFigures> {
  const roomRelay = await createRelayServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    allowOrigins: [`http://127.0.0.1:${relay.port}`],
    maxConnectionsPerAddress: ROOM_SIZE + 10,
    maxConnections: ROOM_SIZE + 100,
    presenceThreshold: thresholds[mode],
  });
  const crowd = new Crowd();
  try {
    await page.evaluate(([url]) => (window as never as { bench: { roomStart: (u: string, r: string) => Promise<void> } }).bench.roomStart(url, 'town-hall'), [roomRelay.url] as const);
    return await traced(page, async () => {
      const shown = page.evaluate((count) => (window as never as { bench: { roomJoined: (n: number) => Promise<{ ms: number; renders: number }> } }).bench.roomJoined(count), ROOM_SIZE + 1);
      await crowd.join(roomRelay.url, 'town-hall', ROOM_SIZE, 'member-');
      if (crowd.failure) throw new Error(`bench:panel: a member could not join: ${crowd.failure}`);
      return shown;
    });
  } finally {
    crowd.close();
    await roomRelay.close();
  }
}

for (let round = 0; round < (runs('room') ? roomRounds : 0); round++) {
  for (const mode of (round % 2 ? ['perPeer', 'batched'] : ['batched', 'perPeer']) as RoomMode[]) room[mode].push(await roomOnce(mode));
}

await browser.close();
await relay.close();

// ── report ───────────────────────────────────────────────────────────────
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const ratio = (a: number, b: number) => (b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
const pick = (kind: Kind, key: string) => median(streaming[kind].map((r) => r[key]!));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const rows: Array<[string, string, string, string, string]> = [];
if (runs('render')) {
  const of = (kind: Kind, key: keyof RenderFigures) => render[kind].map((r) => r[key]);
  const mid = (kind: Kind, key: keyof RenderFigures) => median(of(kind, key));
  const most = (kind: Kind, key: keyof RenderFigures) => Math.max(...of(kind, key));
  const both = (kind: Kind, key: keyof RenderFigures) => `${fmt(mid(kind, key))} / ${fmt(most(kind, key))}`;
  rows.push(
    ['10,000 messages: the newest on screen (ms, median / max)', both('panel', 'first'), both('baseline', 'first'), ratio(mid('panel', 'first'), mid('baseline', 'first')), '< 100 ms'],
    ['  … all its work done (ms, median / max)', both('panel', 'ms'), both('baseline', 'ms'), ratio(mid('panel', 'ms'), mid('baseline', 'ms')), ''],
    ['  … longest task, wall (ms, median / max)', both('panel', 'longestTask'), both('baseline', 'longestTask'), ratio(mid('panel', 'longestTask'), mid('baseline', 'longestTask')), '≤ 50 ms'],
    ['  … longest task, CPU (ms, median / max)', both('panel', 'longestCpu'), both('baseline', 'longestCpu'), ratio(mid('panel', 'longestCpu'), mid('baseline', 'longestCpu')), '≤ 50 ms'],
    [
      '  … over 50 ms: long tasks / long animation frames (all rounds)',
      `${sum(of('panel', 'longtasks'))} / ${sum(of('panel', 'longFrames'))}`,
      `${sum(of('baseline', 'longtasks'))} / ${sum(of('baseline', 'longFrames'))}`,
      '',
      '0',
    ],
    ['DOM nodes holding 10,000 messages', String(mid('panel', 'nodes')), String(mid('baseline', 'nodes')), ratio(mid('panel', 'nodes'), mid('baseline', 'nodes')), ''],
  );
}
if (runs('stream')) {
  rows.push(
    [`longest task while ${rate} msg/s arrive for ${streamSeconds} s, wall / CPU (ms, median)`, `${fmt(pick('panel', 'longestTask'))} / ${fmt(pick('panel', 'longestCpu'))}`, `${fmt(pick('baseline', 'longestTask'))} / ${fmt(pick('baseline', 'longestCpu'))}`, ratio(pick('panel', 'longestCpu'), pick('baseline', 'longestCpu')), '≤ 50 ms'],
    ['tasks over 50 ms while streaming (count, median)', String(pick('panel', 'longTasks')), String(pick('baseline', 'longTasks')), '', '0'],
    [`${rate * streamSeconds} messages sent over ${streamSeconds} s: all on screen after (ms, median)`, fmt(pick('panel', 'showAllMs'), 0), fmt(pick('baseline', 'showAllMs'), 0), ratio(pick('panel', 'showAllMs'), pick('baseline', 'showAllMs')), `≤ ${streamSeconds * 1050} ms`],
    ['  … main-thread CPU meanwhile (ms per second, median)', fmt(pick('panel', 'cpuPerSecond'), 0), fmt(pick('baseline', 'cpuPerSecond'), 0), ratio(pick('panel', 'cpuPerSecond'), pick('baseline', 'cpuPerSecond')), ''],
    ['  … frames per second meanwhile (median)', fmt(pick('panel', 'fps')), fmt(pick('baseline', 'fps')), ratio(pick('panel', 'fps'), pick('baseline', 'fps')), '≥ 58'],
    ['messages shown / sent while streaming', `${pick('panel', 'received')}/${pick('panel', 'sent')}`, `${pick('baseline', 'received')}/${pick('baseline', 'sent')}`, '', 'all'],
    ['DOM nodes after streaming', String(pick('panel', 'nodes')), String(pick('baseline', 'nodes')), ratio(pick('panel', 'nodes'), pick('baseline', 'nodes')), ''],
  );
}
const labels: Record<string, string> = {
  word: 'a 60,000-character word',
  chinese: '20,000 Chinese characters, no spaces',
  ordinary: '60 KB of ordinary text',
  lines: '20,000 one-letter lines',
  marks: '30,000 combining marks on one letter',
  burst: `${BURST} 60,000-character words at once`,
  paste: 'pasting 50 KB into the composer',
};
for (const [name, figures] of Object.entries(long)) {
  if (name.endsWith(':expand')) continue;
  const worst = (kind: Kind | 'demo', key: 'longestTask' | 'longestCpu') => (figures[kind].length ? Math.max(...figures[kind].map((f) => f[key])) : Number.NaN);
  const cell = (kind: Kind | 'demo') => `${fmt(worst(kind, 'longestTask'))} / ${fmt(worst(kind, 'longestCpu'))}`;
  const over = (kind: Kind | 'demo') => figures[kind].reduce((sum, f) => sum + f.longTasks, 0);
  const after = (kind: Kind | 'demo') => (figures[kind].length ? median(figures[kind].map((f) => f.ms)) : Number.NaN);
  const what = name === 'paste' ? 'pasted' : 'shown';
  const onDemo = figures.demo.length > 0;
  const both = (panel: string, demo: string) => (onDemo ? `${panel}; ${demo}` : panel);
  rows.push([`${labels[name]}: longest task, wall / CPU (ms, worst of ${longRounds})`, cell('panel'), cell('baseline'), ratio(worst('panel', 'longestCpu'), worst('baseline', 'longestCpu')), '≤ 50 ms']);
  if (onDemo) rows.push([`  … on the demo page (two panels and its event log)`, cell('demo'), cell('baseline'), ratio(worst('demo', 'longestCpu'), worst('baseline', 'longestCpu')), '≤ 50 ms']);
  rows.push(
    [`  … tasks over 50 ms (count in all rounds${onDemo ? ': bare page; demo page' : ''})`, both(String(over('panel')), String(over('demo'))), String(over('baseline')), '', '0'],
    [`  … ${what} after (ms, median${onDemo ? '; demo page' : ''})`, both(fmt(after('panel'), 0), fmt(after('demo'), 0)), fmt(after('baseline'), 0), ratio(after('panel'), after('baseline')), ''],
  );
  const expanded = long[`${name}:expand`];
  if (expanded) {
    const worstExpand = (key: 'longestTask' | 'longestCpu') => Math.max(...expanded.panel.map((f) => f[key]));
    rows.push([
      `  … "show more": the whole of it (vs shown whole in the list)`,
      `${fmt(worstExpand('longestTask'))} / ${fmt(worstExpand('longestCpu'))}`,
      cell('baseline'),
      ratio(worstExpand('longestCpu'), worst('baseline', 'longestCpu')),
      '≤ 50 ms',
    ]);
  }
}
const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'panel', 'plain list', 'ratio', 'target'][i]!.length));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\nbench:panel — ${render.panel.length} render rounds, ${streaming.panel.length} streaming rounds, ${runs('long') ? longRounds : 0} long-text rounds, ${room.batched.length} room rounds, Chromium ${browser.version()}\n`);
if (rows.length) {
  console.log(line(['measure', 'panel', 'plain list', 'ratio', 'target']));
  for (const row of rows) console.log(line(row));
}
if (runs('render')) {
  const samples = (kind: Kind) => render[kind].map((r) => `${fmt(r.first, 0)}/${fmt(r.ms, 0)}/${fmt(r.longestTask, 0)}/${fmt(r.longestCpu, 0)}`).join(', ');
  console.log(`\nrender samples, newest on screen / all done / longest task wall / CPU (ms): panel ${samples('panel')}; plain list ${samples('baseline')}`);
}
if (runs('stream')) {
  const samples = (kind: Kind) => streaming[kind].map((r) => `${fmt(r.showAllMs!, 0)}/${fmt(r.fps!)}/${fmt(r.cpuPerSecond!, 0)}`).join(', ');
  console.log(`streaming samples, all on screen after (ms) / fps / CPU ms per s: panel ${samples('panel')}; plain list ${samples('baseline')}`);
}
if (runs('long')) {
  console.log('\nlong texts: the baseline shows each in a plain <li> of a scrolling list, and takes the paste in a plain <textarea>, on the same page.');
  console.log('Task lengths from Chromium tracing; CPU is the thread time of the costliest task, which a busy machine does not inflate; ratios are of CPU.');
  console.log('longest task per round, wall/CPU (ms), panel | demo page | plain:');
  for (const [name, figures] of Object.entries(long)) {
    if (name.endsWith(':expand')) continue;
    const samples = (kind: Kind | 'demo') => figures[kind].map((f) => `${fmt(f.longestTask, 0)}/${fmt(f.longestCpu, 0)}`).join(', ') || '–';
    console.log(`  ${name}: ${samples('panel')} | ${samples('demo')} | ${samples('baseline')}`);
  }
}
if (runs('room')) {
  const worst = (mode: RoomMode, key: keyof RoomFigures) => Math.max(...room[mode].map((r) => r[key]));
  const mid = (mode: RoomMode, key: keyof RoomFigures) => median(room[mode].map((r) => r[key]));
  const roomRows: Array<[string, string, string, string]> = [
    [`costliest task, CPU (ms, worst of ${roomRounds}; target ≤ 50)`, fmt(worst('batched', 'longestCpu')), fmt(worst('perPeer', 'longestCpu')), ratio(worst('batched', 'longestCpu'), worst('perPeer', 'longestCpu'))],
    [`costliest task, wall (ms, worst of ${roomRounds})`, fmt(worst('batched', 'longestTask')), fmt(worst('perPeer', 'longestTask')), ratio(worst('batched', 'longestTask'), worst('perPeer', 'longestTask'))],
    ['main-thread CPU, all tasks (ms, median)', fmt(mid('batched', 'cpu'), 0), fmt(mid('perPeer', 'cpu'), 0), ratio(mid('batched', 'cpu'), mid('perPeer', 'cpu'))],
    ['renders (median)', String(mid('batched', 'renders')), String(mid('perPeer', 'renders')), ratio(mid('batched', 'renders'), mid('perPeer', 'renders'))],
    ['tasks over 50 ms, wall (all rounds)', String(sum(room.batched.map((r) => r.longTasks))), String(sum(room.perPeer.map((r) => r.longTasks))), ''],
    [`"${ROOM_SIZE + 1} online" shown after (ms, median)`, fmt(mid('batched', 'ms'), 0), fmt(mid('perPeer', 'ms'), 0), ratio(mid('batched', 'ms'), mid('perPeer', 'ms'))],
  ];
  const heads = ['a room of 1,000 joining', `batched (threshold ${thresholds.batched})`, `per peer (threshold ${thresholds.perPeer})`, 'ratio'];
  const roomWidths = heads.map((head, i) => Math.max(head.length, ...roomRows.map((r) => r[i]!.length)));
  const roomLine = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(roomWidths[i]!) : c.padStart(roomWidths[i]!))).join('  ');
  console.log(`\n${roomLine(heads)}`);
  for (const row of roomRows) console.log(roomLine(row));
  const samples = (mode: RoomMode) => room[mode].map((r) => `${fmt(r.longestTask, 0)}/${fmt(r.longestCpu, 0)}/${fmt(r.cpu, 0)}/${r.renders}`).join(', ');
  console.log(`room samples, costliest task wall / CPU, all CPU (ms) / renders: batched ${samples('batched')}; per peer ${samples('perPeer')}`);
  console.log('Task lengths from Chromium tracing of the page (the panel alone), from the first member knocking until the panel has rendered the count.');
}
