// The README's script-tag snippet, pasted character for character into a page
// on another origin, as a newcomer would: it must chat. Real Chromium
// (playwright-core), a real relay process, a real second web server. Needs the
// build (npm test builds first): the relay serves dist/message-center.min.js.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readmeSnippets as snippets } from '../../scripts/readme-snippets.js';
import { startRelayProcess, type RelayProcess } from '../support/relay-process.js';
import { TestClient } from '../support/test-client.js';
import { DEADLINE_MS } from '../support/wait.js';

/** The README's relay origin, as printed; the test relay runs on a free port instead. */
const PRINTED_ORIGIN = 'http://localhost:3001';

/** A web server of its own (another origin than the relay's) serving one page: the snippet, aimed at `relayPort`. */
async function pageServer(): Promise<{ origin: string; serve(relayPort: number): void; server: Server }> {
  let html = '';
  const server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    server,
    origin: `http://127.0.0.1:${address.port}`,
    serve(relayPort) {
      assert.ok(snippet?.code.includes(PRINTED_ORIGIN), `the snippet loads the script from ${PRINTED_ORIGIN}`);
      html = `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>\n${snippet!.code.replaceAll(PRINTED_ORIGIN, `http://localhost:${relayPort}`)}</body></html>`;
    },
  };
}

const [snippet] = snippets('### One script tag').filter((block) => block.lang === 'html');

describe('README: the script-tag snippet, pasted into a page on another origin', () => {
  let browser: Browser;
  const relays: RelayProcess[] = [];
  const servers: Server[] = [];
  const clients: TestClient[] = [];
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    for (const client of clients) client.close();
    await browser?.close();
    await Promise.all(relays.map((relay) => relay.kill('SIGTERM')));
    for (const server of servers) server.close();
  });

  /** Opens the snippet, from a server of its own, against `relay`; the console lines it prints are collected. */
  async function open(site: Awaited<ReturnType<typeof pageServer>>, relay: RelayProcess): Promise<{ page: Page; console: string[] }> {
    site.serve(relay.port);
    const page = await browser.newPage();
    const lines: string[] = [];
    page.on('console', (message) => lines.push(message.text()));
    page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
    await page.goto(`${site.origin}/`);
    return { page, console: lines };
  }

  const site = async () => {
    const created = await pageServer();
    servers.push(created.server);
    return created;
  };

  const panelState = (page: Page) =>
    page.evaluate(() => {
      const panel = document.querySelector('ws-chat-panel') as HTMLElement & { status: string; messages: Array<{ text: string; state?: string }> };
      const error = panel.shadowRoot?.querySelector('[role="alert"]')?.textContent?.trim() ?? '';
      return { status: panel.status, messages: panel.messages.map((m) => `${m.text}:${m.state ?? ''}`), error };
    });

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + DEADLINE_MS;
    let value = await read();
    while (!done(value)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await read();
    }
    return value;
  }

  it('with the relay `npm start` runs (the demo): the panel connects to the relay that served the script, sends the bus command, and hears others', async () => {
    const relay = await startRelayProcess(['--demo']);
    relays.push(relay);
    const bob = await TestClient.connect(relay.url, { name: 'Bob' });
    clients.push(bob);
    const { page, console } = await open(await site(), relay);
    const hello = await bob.next((frame) => frame.type === 'message' && frame.data === 'Hello from the page');
    assert.equal((hello.from as { name: string }).name, 'Ada');
    bob.send({ type: 'send', id: 'reply', data: 'Hello Ada' });
    await until(async () => console, (lines) => lines.some((line) => line.includes('Hello Ada')), 'the page to log the reply');
    const state = await panelState(page);
    assert.equal(state.status, 'online');
    assert.deepEqual(state.messages, ['Hello from the page:sent', 'Hello Ada:']);

    // "History from your own store", pasted as printed once the live messages show: yesterday's go first.
    const [history] = snippets('### History from your own store').filter((block) => block.lang === 'js');
    assert.ok(history, 'README.md has the history snippet');
    await page.evaluate(history!.code);
    const withHistory = await panelState(page);
    assert.deepEqual(withHistory.messages, ['Hi!:', 'Hello:sent', 'Hello from the page:sent', 'Hello Ada:']);
    assert.deepEqual(console.filter((line) => line.startsWith('pageerror')), []);
  });

  it('with a production relay: a page from an origin given with --allow-origin chats; a page from another is told it was refused', async () => {
    const allowed = await site();
    const relay = await startRelayProcess(['--allow-origin', allowed.origin]);
    relays.push(relay);
    const { page } = await open(allowed, relay);
    const online = await until(() => panelState(page), (s) => s.status === 'online' && s.messages.length === 1 && !s.messages[0]!.endsWith(':pending'), 'the allowed page to chat');
    assert.deepEqual(online.messages, ['Hello from the page:sent']);

    const { page: stranger } = await open(await site(), relay);
    const refused = await until(() => panelState(stranger), (s) => s.error !== '', 'the panel to say it was refused');
    assert.notEqual(refused.status, 'online');
    assert.match(refused.error, /may not connect/);
  });
});
