// bench:panel — the chat panel against a plain list, in headless Chromium,
// in the same run. Prints medians and the panel/baseline ratio.
//   npm run bench:panel            (builds first)
//   npm run bench:panel -- --quick (1 round, 3 s of streaming)
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { createRelayServer } from '../../src/server/index.js';

const quick = process.argv.includes('--quick');
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
    },
  },
});
const wsUrl = relay.url;
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
page.on('pageerror', (error) => console.error('page error:', error.message));
await page.goto(`http://127.0.0.1:${relay.port}/`);
await page.waitForFunction(() => 'bench' in window);

type Kind = 'panel' | 'baseline';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// ── 1. first render of a 10,000-message history ────────────────────────────
const render: Record<Kind, { ms: number[]; nodes: number }> = { panel: { ms: [], nodes: 0 }, baseline: { ms: [], nodes: 0 } };
for (let round = 0; round < rounds; round++) {
  for (const kind of (round % 2 ? ['baseline', 'panel'] : ['panel', 'baseline']) as Kind[]) {
    const result = await page.evaluate(([kind, count]) => (window as never as { bench: { render: (k: string, n: number) => Promise<{ ms: number; nodes: number }> } }).bench.render(kind, count), [kind, historySize] as const);
    render[kind].ms.push(result.ms);
    render[kind].nodes = result.nodes;
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

async function stream(kind: Kind) {
  const socket = await writer();
  const result = page.evaluate(
    ([kind, url, seconds]) => (window as never as { bench: { stream: (k: string, u: string, s: number) => Promise<Record<string, number>> } }).bench.stream(kind, url, seconds),
    [kind, wsUrl, streamSeconds] as const,
  );
  await page.waitForFunction(() => (window as never as { __ready?: boolean }).__ready === true);
  let sent = 0;
  const started = Date.now();
  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const due = Math.min(rate * streamSeconds, Math.floor(((Date.now() - started) / 1000) * rate));
      while (sent < due) socket.send(JSON.stringify({ type: 'send', id: `s${sent}`, data: `Streamed message ${sent++}: the quick brown fox jumps over the lazy dog.` }));
      if (sent >= rate * streamSeconds) {
        clearInterval(timer);
        done();
      }
    }, 5);
  });
  const measured = await result;
  socket.close();
  return { ...measured, sent };
}

const streaming: Record<Kind, Array<Record<string, number>>> = { panel: [], baseline: [] };
for (let round = 0; round < (quick ? 1 : 3); round++) {
  for (const kind of (round % 2 ? ['baseline', 'panel'] : ['panel', 'baseline']) as Kind[]) streaming[kind].push(await stream(kind));
}

await browser.close();
await relay.close();

// ── report ───────────────────────────────────────────────────────────────
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const ratio = (a: number, b: number) => (b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
const pick = (kind: Kind, key: string) => median(streaming[kind].map((r) => r[key]!));
const rows: Array<[string, string, string, string, string]> = [
  ['first render of 10,000 messages (ms, median)', fmt(median(render.panel.ms)), fmt(median(render.baseline.ms)), ratio(median(render.panel.ms), median(render.baseline.ms)), '< 100 ms'],
  ['DOM nodes holding 10,000 messages', String(render.panel.nodes), String(render.baseline.nodes), ratio(render.panel.nodes, render.baseline.nodes), ''],
  [`longest task while ${rate} msg/s arrive for ${streamSeconds} s (ms)`, fmt(pick('panel', 'longestTask')), fmt(pick('baseline', 'longestTask')), ratio(pick('panel', 'longestTask'), pick('baseline', 'longestTask')), '≤ 50 ms'],
  ['tasks over 50 ms while streaming (count)', String(pick('panel', 'longTasks')), String(pick('baseline', 'longTasks')), '', '0'],
  ['messages shown / sent while streaming', `${pick('panel', 'received')}/${pick('panel', 'sent')}`, `${pick('baseline', 'received')}/${pick('baseline', 'sent')}`, '', 'all'],
  ['DOM nodes after streaming', String(pick('panel', 'nodes')), String(pick('baseline', 'nodes')), ratio(pick('panel', 'nodes'), pick('baseline', 'nodes')), ''],
];
const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'panel', 'plain list', 'ratio', 'target'][i]!.length));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\nbench:panel — ${rounds} render rounds, ${streaming.panel.length} streaming rounds, Chromium ${browser.version()}\n`);
console.log(line(['measure', 'panel', 'plain list', 'ratio', 'target']));
for (const row of rows) console.log(line(row));
console.log(`\nrender samples (ms): panel ${render.panel.ms.map((v) => fmt(v)).join(', ')}; plain list ${render.baseline.ms.map((v) => fmt(v)).join(', ')}`);
