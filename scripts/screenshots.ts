// Takes screenshots of the demo and the panel in headless Chromium, for the
// README and for people to look at: `npm run screenshots` (builds first).
// Writes docs/screenshots/*.png; `-- --only=layouts` takes only the panel in
// other people's CSS and data (demo/layouts.html).
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { SUBPROTOCOL_V1 } from '../src/protocol/constants.js';
import { createRelayServer, type RelayServerOptions } from '../src/server/index.js';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'docs/screenshots');
const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

// Without CJK and emoji fonts, Chinese text and emoji render as empty boxes,
// and such screenshots must not replace good ones.
const fonts = (pattern: string) => {
  try {
    return execFileSync('fc-list', [pattern], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
};
if (!fonts(':lang=zh-cn') || !fonts(':lang=und-zsye')) {
  console.error('screenshots: Chinese or emoji fonts are missing; install them first: apt-get install -y fonts-noto-cjk fonts-noto-color-emoji');
  process.exit(1);
}

/** A relay serving the demo, with nothing in its log: each screenshot's conversation is its own (the panel shows a relay's history). */
const startRelay = (options: Partial<RelayServerOptions> = {}) =>
  createRelayServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    demoControls: true,
    static: {
      root: resolve(root, 'demo'),
      files: { '/message-center.min.js': resolve(root, 'dist/message-center.min.js') },
    },
    ...options,
  });
let relay = await startRelay();
let base = `http://127.0.0.1:${relay.port}/`;
async function freshRelay(options: Partial<RelayServerOptions> = {}): Promise<void> {
  await relay.close();
  relay = await startRelay(options);
  base = `http://127.0.0.1:${relay.port}/`;
}
await mkdir(out, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function openDemo(query: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, colorScheme });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  // tsx (esbuild keepNames) wraps functions passed to evaluate() in a __name helper the page lacks.
  await page.addInitScript('globalThis.__name = (fn) => fn');
  await page.goto(`${base}${query}`);
  await page.waitForFunction(() => [...document.querySelectorAll('ws-chat-panel')].every((p) => (p as unknown as { status: string }).status === 'online'));
  return page;
}

/** Has the first panel chat with the second: a broadcast each way, then a private message. */
async function converse(page: Page, lines: { a1: string; b1: string; aPrivate: string; b2: string }): Promise<void> {
  await page.evaluate(async (lines) => {
    const [a, b] = [...document.querySelectorAll('ws-chat-panel')] as unknown as Array<{
      send(data: unknown, to?: object, room?: string, options?: { mentions?: string[] }): unknown;
      roster: Array<{ id: string; name: string }>;
      messages: unknown[];
      getAttribute(name: string): string;
    }>;
    const wait = (predicate: () => boolean) =>
      new Promise<void>((done) => {
        const tick = () => (predicate() ? done() : setTimeout(tick, 20));
        tick();
      });
    await wait(() => a!.roster.length === 2 && b!.roster.length === 2);
    a!.send(lines.a1);
    await wait(() => b!.messages.length >= 1);
    // Bob mentions Ada, with a link: her panel marks the message as one that mentions her.
    const aId = b!.roster.find((p) => p.name === a!.getAttribute('user-name'))!.id;
    b!.send(lines.b1, undefined, undefined, { mentions: [aId] });
    await wait(() => a!.messages.length >= 2);
    const bId = a!.roster.find((p) => p.name === b!.getAttribute('user-name'))!.id;
    a!.send(lines.aPrivate, { ids: [bId] });
    await wait(() => b!.messages.length >= 3);
    b!.send(lines.b2);
    await wait(() => a!.messages.length >= 4);
  }, lines);
  // Select the other person as a recipient in the first panel, to show the picker
  // (opening its roster first when the panel is too narrow to show it beside the messages).
  const first = page.locator('ws-chat-panel').first();
  if (await first.locator('aside[hidden]').count()) await first.locator('.roster-toggle').click();
  await first.locator('.peer:not([disabled])').first().click();
  await page.locator('ws-chat-panel').first().locator('textarea').fill('');
  await page.waitForTimeout(300);
}

const english = { a1: 'Hi everyone! The relay is up 👋', b1: '你好 @Ada! The notes are at https://example.com/notes', aPrivate: 'Psst — this one is only for you.', b2: 'Got it, thanks 🙂' };
const chinese = { a1: '大家好！中继已经启动 👋', b1: '你好 @Ada！笔记在 https://example.com/notes', aPrivate: '这条私信只发给你。', b2: '收到，谢谢 🙂' };

/** The second panel's person starts typing: the first panel shows it above its composer (until the draft is emptied). */
async function startTyping(page: Page, draft: string): Promise<void> {
  await page.locator('ws-chat-panel').nth(1).locator('textarea').fill(draft);
  await page.locator('ws-chat-panel').first().locator('.typing-text').filter({ hasText: /typing|正在输入/ }).waitFor();
  await page.waitForTimeout(300);
}

// The panel in other people's CSS: a page rule display: block, display:
// contents in a grid cell of fixed height, a modal dialog. Each holds 300
// messages from the page's store; the composer must be in view. And a 60 KB
// message from a peer, collapsed.
for (const layout of ['block', 'contents', 'dialog', 'long']) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 720 }, deviceScaleFactor: 1 });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(`${base}layouts.html?case=${layout}`);
  await page.waitForFunction(() => (document.querySelector('ws-chat-panel') as unknown as { status: string }).status === 'online');
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(out, `layout-${layout}.png`) });
  await page.close();
}
if (process.argv.includes('--only=layouts')) {
  await browser.close();
  await relay.close();
  console.log(`layout screenshots written to ${out}`);
  process.exit(0);
}

// The demo, English, light.
const demo = await openDemo('?lang=en&theme=light');
await converse(demo, english);
// The README's picture: a day, a link, a mention, a private message read, and someone typing.
await startTyping(demo, 'Let me check the numbers');
await demo.screenshot({ path: resolve(out, 'demo.png') });
await demo.locator('ws-chat-panel').first().screenshot({ path: resolve(out, 'panel-typing.png') });
await demo.locator('ws-chat-panel').nth(1).locator('textarea').fill('');
await demo.locator('ws-chat-panel').first().locator('.typing-text').filter({ hasText: /typing/ }).waitFor({ state: 'detached' });
await demo.locator('ws-chat-panel').first().screenshot({ path: resolve(out, 'panel-light.png') });

// Reconnecting: restart the relay and catch the countdown.
await demo.locator('#restart').click();
await demo.waitForFunction(() => (document.querySelector('ws-chat-panel') as unknown as { status: string }).status === 'reconnecting');
await demo.locator('ws-chat-panel').nth(1).locator('textarea').fill('Typed while the relay is down');
await demo.locator('ws-chat-panel').nth(1).locator('textarea').press('Enter');
await demo.waitForTimeout(400);
await demo.locator('ws-chat-panel').nth(1).screenshot({ path: resolve(out, 'panel-reconnecting.png') });
await demo.close();

// Dark.
await freshRelay();
const dark = await openDemo('?lang=en&theme=dark', 'dark');
await converse(dark, english);
await dark.locator('ws-chat-panel').first().screenshot({ path: resolve(out, 'panel-dark.png') });
await dark.screenshot({ path: resolve(out, 'demo-dark.png') });
await dark.close();

// Chinese.
await freshRelay();
const zh = await openDemo('?lang=zh-CN&theme=light');
// Chinese loads on demand (English shows meanwhile): wait until every panel speaks it.
await zh.waitForFunction(() =>
  [...document.querySelectorAll('ws-chat-panel')].every((panel) => /[\u4e00-\u9fff]/.test(panel.shadowRoot?.querySelector('.title')?.textContent ?? '')),
);
await converse(zh, chinese);
await zh.locator('ws-chat-panel').nth(1).screenshot({ path: resolve(out, 'panel-zh.png') });
await zh.screenshot({ path: resolve(out, 'demo-zh.png') });
await zh.close();

// Narrow (phone-sized): the roster folds away behind its button.
const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 1 });
await phone.goto(`${base}?name=Carol&lang=en&theme=light`);
await phone.waitForFunction(() => (document.querySelector('ws-chat-panel') as unknown as { status: string }).status === 'online');
await phone.locator('ws-chat-panel').screenshot({ path: resolve(out, 'panel-narrow.png') });
await phone.close();

/** A page of the relay's with `html` as its body: the bundle is loaded, and the panels in it connect to that relay. */
async function panelsPage(html: string, width = 1000): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 620 }, deviceScaleFactor: 1 });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.addInitScript('globalThis.__name = (fn) => fn');
  await page.goto(`${base}layouts.html`);
  await page.evaluate((body) => (document.body.innerHTML = body), html);
  await page.waitForFunction(() => [...document.querySelectorAll('ws-chat-panel')].every((p) => (p as unknown as { status: string }).status === 'online'));
  return page;
}

// Several rooms, and the relay's history: Bob wrote before Ada opened her panel.
await freshRelay();
const earlier = await panelsPage('<ws-chat-panel user-name="Bob" room="design" lang="en" theme="light"></ws-chat-panel>');
await earlier.evaluate(() => {
  const bob = document.querySelector('ws-chat-panel') as unknown as { send(data: unknown, to?: unknown, room?: string): unknown };
  for (const text of ['Morning! The new header is on the staging site.', 'Does anyone have the icon set?']) bob.send(text, undefined, 'design');
});
await earlier.waitForTimeout(500);
await earlier.close();
const rooms = await panelsPage(
  '<div style="display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px;height:560px"><ws-chat-panel user-name="Ada" room="design, ops" lang="en" theme="light" style="height:100%"></ws-chat-panel><ws-chat-panel user-name="Oscar" room="ops" lang="en" theme="light" style="height:100%"></ws-chat-panel></div>',
);
await rooms.evaluate(async () => {
  const [ada, oscar] = [...document.querySelectorAll('ws-chat-panel')] as unknown as Array<{ send(data: unknown, to?: unknown, room?: string): unknown; messages: unknown[] }>;
  ada!.send('Yes: in the shared drive, under /icons.', undefined, 'design');
  oscar!.send('Deploy of 2.4 starts in 10 minutes.', undefined, 'ops');
  await new Promise<void>((done) => {
    const tick = () => (ada!.messages.length >= 4 ? done() : setTimeout(tick, 20));
    tick();
  });
});
await rooms.locator('ws-chat-panel').first().locator('select.room-pick').selectOption('ops');
await rooms.waitForTimeout(300);
await rooms.locator('ws-chat-panel').first().screenshot({ path: resolve(out, 'panel-rooms.png') });
await rooms.close();

// A large room: 40 members with a threshold of 10, so it is partial; a search for "ri".
await freshRelay({ presenceThreshold: 10, presenceRosterSize: 6, presenceInterval: 200 });
const members = ['Aria', 'Boris', 'Chiara', 'Dmitri', 'Erin', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jamal'].flatMap((name) => [name, `${name} K.`, `${name} L.`, `${name} M.`]);
const crowd = await Promise.all(
  members.map(
    (name) =>
      new Promise<WebSocket>((done) => {
        const socket = new WebSocket(`ws://127.0.0.1:${relay.port}/`, [SUBPROTOCOL_V1], { origin: base.slice(0, -1) });
        socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', name, rooms: ['town-hall'] })));
        socket.once('message', () => done(socket));
      }),
  ),
);
const big = await panelsPage('<ws-chat-panel user-name="Ada" room="town-hall" lang="en" theme="light" style="height:560px"></ws-chat-panel>', 760);
await big.locator('ws-chat-panel input.search').fill('ri');
await big.waitForFunction(() => (document.querySelector('ws-chat-panel')!.shadowRoot!.querySelectorAll('.peer').length ?? 0) > 0 && document.querySelector('ws-chat-panel')!.shadowRoot!.querySelector('.peer-name')!.textContent!.includes('ri'));
await big.waitForTimeout(300);
await big.locator('ws-chat-panel').screenshot({ path: resolve(out, 'panel-big-room.png') });
await big.close();
for (const socket of crowd) socket.terminate();

// Unread: Bob scrolled up to read while Ada writes on; his panel offers notifications (`notify`).
await freshRelay();
const unread = await panelsPage(
  '<div style="display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px;height:560px"><ws-chat-panel user-name="Ada" lang="en" theme="light" style="height:100%"></ws-chat-panel><ws-chat-panel user-name="Bob" lang="en" theme="light" notify title-badge style="height:100%"></ws-chat-panel></div>',
);
await unread.evaluate(async () => {
  type Panel = HTMLElement & { send(data: unknown): unknown; messages: unknown[]; unread: { count: number }; updateComplete: Promise<unknown> };
  const [ada, bob] = [...document.querySelectorAll('ws-chat-panel')] as unknown as [Panel, Panel];
  const until = (done: () => boolean) => new Promise<void>((resolve) => {
    const tick = () => (done() ? resolve() : setTimeout(tick, 20));
    tick();
  });
  const lines = ['Release notes are in the doc.', 'QA signed off on the mobile build.', 'The changelog needs one more line.', 'Who is on call tonight?', 'Staging is green again.', 'Moving the retro to 4 pm.', 'Design review moved to Thursday.', 'Lunch order closes at noon.'];
  for (const line of lines) ada.send(line);
  await until(() => bob.messages.length === lines.length);
  await bob.updateComplete;
  const log = bob.shadowRoot!.querySelector('.stream') as HTMLElement;
  log.scrollTop = 0;
  log.dispatchEvent(new Event('scroll'));
  for (const line of ['Build 2.4.1 is out.', 'Please check the dashboards.', 'Thanks, everyone!']) ada.send(line);
  await until(() => bob.unread.count === 3);
});
await unread.waitForTimeout(300);
await unread.locator('ws-chat-panel').nth(1).screenshot({ path: resolve(out, 'panel-unread.png') });
await unread.close();

// Days, a link and a mention: Bob's log holds yesterday's messages from his store, then Ada mentions
// him with a link; Ada's composer offers names for "@".
await freshRelay();
const text = await panelsPage(
  '<div style="display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px;height:560px"><ws-chat-panel user-name="Ada" lang="en" theme="light" style="height:100%"></ws-chat-panel><ws-chat-panel user-name="Bob" lang="en" theme="light" style="height:100%"></ws-chat-panel><ws-chat-panel user-name="Bea" lang="en" theme="light" style="display:none"></ws-chat-panel></div>',
);
await text.evaluate(async () => {
  type Panel = HTMLElement & {
    send(data: unknown, to?: unknown, room?: string, options?: { mentions?: string[] }): unknown;
    addMessages(messages: unknown[]): void;
    messages: unknown[];
    roster: Array<{ id: string; name: string }>;
    updateComplete: Promise<unknown>;
  };
  const [ada, bob] = [...document.querySelectorAll('ws-chat-panel')] as unknown as [Panel, Panel];
  const until = (done: () => boolean) => new Promise<void>((resolve) => {
    const tick = () => (done() ? resolve() : setTimeout(tick, 20));
    tick();
  });
  await until(() => ada.roster.length === 3);
  const yesterday = new Date();
  yesterday.setDate(yesterday.getDate() - 1);
  yesterday.setHours(17, 40, 0, 0);
  bob.addMessages([
    { id: 'y1', from: 'Ada', data: 'Draft of the spec is ready for review.', ts: yesterday.getTime() },
    { id: 'y2', from: 'Bob', own: true, data: 'Great, I will read it tomorrow morning.', ts: yesterday.getTime() + 120_000 },
  ]);
  const bobId = ada.roster.find((peer) => peer.name === 'Bob')!.id;
  ada.send('@Bob the spec is at https://example.com/specs/chat-v2 — can you look before noon?', undefined, undefined, { mentions: [bobId] });
  await until(() => bob.messages.length === 3);
  await bob.updateComplete;
});
await text.waitForTimeout(300);
await text.locator('ws-chat-panel').nth(1).screenshot({ path: resolve(out, 'panel-days-links-mentions.png') });
await text.locator('ws-chat-panel').first().locator('textarea').fill('Thanks @');
await text.locator('ws-chat-panel').first().locator('textarea').press('B');
await text.locator('ws-chat-panel').first().locator('[role="listbox"]').waitFor();
await text.locator('ws-chat-panel').first().screenshot({ path: resolve(out, 'panel-mention-picker.png') });
await text.close();

await browser.close();
await relay.close();
console.log(`screenshots written to ${out}`);
