// bench:tabs — what one socket per browser (issue 18) saves: 1, 3 and 10 tabs
// of one user (ada) in one Chromium profile, shared (the default) and not
// (shared-connection="off"), while another user (bob, a Node client) sends
// M messages to their room. Counted on the relay: the browser sockets it holds,
// and the bytes it wrote to them; and how many times bob was told ada joined.
//   npm run bench:tabs            (builds first)
//   npm run bench:tabs -- --m=500 (messages bob sends; default 200)
import type { BrowserContext, Page } from 'playwright-core';
import { NodeUser, launchChromium, newTabs, openTab, startTabsRelay, until, viewOf } from '../../test/support/tabs.js';

const M = Number(process.argv.find((arg) => arg.startsWith('--m='))?.slice('--m='.length) ?? 200);
const TAB_COUNTS = [1, 3, 10];
const DEADLINE = 60_000;

// Bob may send as fast as the relay takes it: the figures are bytes, not time.
const { relay, sockets, base } = await startTabsRelay({ maxMessagesPerSecond: 5000, burst: 5000 });
const browser = await launchChromium();

interface Row {
  tabs: number;
  mode: 'shared' | 'off';
  /** Browser sockets the relay held once every tab was online. */
  sockets: number;
  /** All the relay's connections then (bob's included). */
  connections: number;
  /** Bytes the relay wrote to ada's sockets from the first tab's opening until every tab was online. */
  connectBytes: number;
  /** Bytes the relay wrote to ada's sockets while bob's M messages reached every tab. */
  messageBytes: number;
  /** How many times bob was told ada joined. */
  joins: number;
  ms: number;
}

async function run(tabs: number, mode: 'shared' | 'off'): Promise<Row> {
  // Of one length in both modes: the room's name is in every message, and so is the text's.
  const room = `bench-${tabs}-${mode === 'off' ? 'own' : 'one'}`;
  const bob = new NodeUser(relay.url, 'bob', room);
  await until('bob online', () => (bob.client.status === 'online' ? undefined : bob.client.status), DEADLINE);
  sockets.reset();
  const context: BrowserContext = await newTabs(browser);
  const pages: Page[] = [];
  try {
    for (let i = 0; i < tabs; i++) pages.push(await openTab(context, base, { url: relay.url, user: 'ada', room, history: 0, ...(mode === 'off' ? { shared: 'off' } : {}) }));
    // Measured, not asserted (test/node/shared-connection.test.ts does that): every tab online, and bob seeing ada once per socket.
    await until(`${tabs} tabs (${mode}) online, bob seeing ada once per socket`, async () => {
      const views = await Promise.all(pages.map(viewOf));
      const online = views.every((view) => view.panels.every((panel) => panel.status === 'online'));
      return online && sockets.open > 0 && bob.rosterCount('ada') === sockets.open ? undefined : `sockets ${sockets.open}, bob sees ada ${bob.rosterCount('ada')}×`;
    }, DEADLINE);
    const row = { tabs, mode, sockets: sockets.open, connections: relay.connections, connectBytes: sockets.bytesWritten, joins: bob.joins.get('ada') ?? 0 };

    sockets.reset();
    const started = performance.now();
    const texts = Array.from({ length: M }, (_, i) => `bench message ${i} from bob to ${room}: the quick brown fox jumps over the lazy dog`);
    for (const text of texts) bob.client.send(text);
    const last = texts.at(-1)!;
    await until(`every tab to show bob's ${M} messages`, async () => {
      const views = await Promise.all(pages.map(viewOf));
      const counts = views.flatMap((view) => view.panels.map((panel) => panel.messages.filter((message) => !message.own).length));
      const done = views.every((view) => view.panels.every((panel) => panel.messages.some((message) => message.text === last)));
      return done && counts.every((count) => count === M) ? undefined : `shown: ${counts.join(', ')}`;
    }, DEADLINE);
    return { ...row, messageBytes: sockets.bytesWritten, ms: performance.now() - started };
  } finally {
    await context.close();
    bob.close();
    await until('the tabs’ sockets to close', () => (sockets.open === 0 ? undefined : `${sockets.open} open`), DEADLINE);
  }
}

const rows: Row[] = [];
const began = performance.now();
try {
  for (const tabs of TAB_COUNTS) {
    for (const mode of ['shared', 'off'] as const) {
      const row = await run(tabs, mode);
      rows.push(row);
      console.error(`  ${tabs} tab(s), ${mode}: done in ${(row.ms / 1000).toFixed(1)} s`);
    }
  }
} finally {
  await browser.close();
  await relay.close();
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`\nbench:tabs — ${M} messages from bob to ada's room; ada in 1, 3, 10 tabs of one Chromium profile\n`);
console.log('tabs  sharing  ada sockets  relay conns  to ada: connect  to ada: M msgs  per msg   bob saw ada join');
for (const row of rows) {
  console.log(
    [
      String(row.tabs).padEnd(4),
      row.mode.padEnd(7),
      String(row.sockets).padStart(11),
      String(row.connections).padStart(11),
      kb(row.connectBytes).padStart(16),
      kb(row.messageBytes).padStart(15),
      `${(row.messageBytes / M).toFixed(0)} B`.padStart(8),
      String(row.joins).padStart(18),
    ].join('  '),
  );
}
console.log('\nnot shared / shared:');
for (const tabs of TAB_COUNTS) {
  const shared = rows.find((row) => row.tabs === tabs && row.mode === 'shared')!;
  const off = rows.find((row) => row.tabs === tabs && row.mode === 'off')!;
  const ratio = (a: number, b: number) => (b === 0 ? '∞' : `${(a / b).toFixed(2)}×`);
  console.log(
    `  ${String(tabs).padStart(2)} tab(s): sockets ${ratio(off.sockets, shared.sockets)}, bytes while messaging ${ratio(off.messageBytes, shared.messageBytes)}, bytes to connect ${ratio(off.connectBytes, shared.connectBytes)}, joins bob saw ${ratio(off.joins, shared.joins)}`,
  );
}
console.log(`\n(${((performance.now() - began) / 1000).toFixed(0)} s in all)`);
