// The demo page (demo/index.html, as `npm start` serves it with the script
// bundle from dist/) in Chromium: axe finds nothing on the whole page in the
// light theme, the dark theme and the system's dark scheme, with the event
// log full of every kind of event; the log scrolls from the keyboard; and a
// language it does not offer as such falls back to the nearest one it has.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { AXE_OPTIONS, axeFindingsOf } from '../support/axe-findings.js';
import type { AxeResults } from 'axe-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const axeScript = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));

describe('the demo page', () => {
  let relay: RelayServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    relay = await createRelayServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      demoControls: true,
      static: { root: `${root}/demo`, files: { '/message-center.min.js': `${root}/dist/message-center.min.js` } },
    });
    base = `http://127.0.0.1:${relay.port}/`;
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  /** Opens the demo and fills its event log with every kind of event, more than it shows at once. */
  async function openWithEvents(query: string, colorScheme: 'light' | 'dark'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme });
    // tsx (esbuild keepNames) wraps functions passed to evaluate() in a __name helper the page lacks.
    await page.addInitScript('globalThis.__name = (fn) => fn');
    await page.goto(`${base}${query}`);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('ws-chat-panel')].every((panel) => (panel as unknown as { roster: unknown[] }).roster.length === 2),
    );
    await page.evaluate(async () => {
      type Panel = { send(data: unknown, to?: object): unknown; messages: Array<{ state?: string }> };
      const [ada, lei] = [...document.querySelectorAll('ws-chat-panel')] as unknown as [Panel, Panel];
      for (let i = 0; i < 20; i++) (i % 2 ? ada : lei).send(`line ${i}`);
      ada.send('to nobody', { ids: ['nobody'] }); // an error event
      await new Promise<void>((done) => {
        const check = () => (ada.messages.every((message) => message.state !== 'pending') ? done() : setTimeout(check, 20));
        check();
      });
    });
    await page.locator('#from-code').click(); // a chat:send
    return page;
  }

  async function findings(page: Page, state: string): Promise<string[]> {
    await page.addScriptTag({ path: axeScript });
    const results = await page.evaluate(async (options) => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
      const { violations, incomplete } = await axe.run(document, options);
      // Only what the findings read: the full results hold DOM references that do not serialize.
      const strip = (results: AxeResults['violations']) =>
        results.map(({ id, impact, help, nodes }) => ({
          id,
          impact,
          help,
          nodes: nodes.map(({ target, html, failureSummary, any }) => ({ target, html, failureSummary, any: any.map(({ data }) => ({ data })) })),
        }));
      return { violations: strip(violations), incomplete: strip(incomplete) };
    }, AXE_OPTIONS);
    return axeFindingsOf(results as unknown as Pick<AxeResults, 'violations' | 'incomplete'>, state);
  }

  for (const [query, colorScheme] of [
    ['?lang=en&theme=light', 'light'],
    ['?lang=en&theme=dark', 'light'],
    ['?lang=zh-CN&theme=auto', 'dark'],
  ] as const) {
    it(`axe finds nothing on the whole page: ${query}, system scheme ${colorScheme}`, async () => {
      const page = await openWithEvents(query, colorScheme);
      try {
        assert.deepEqual(await findings(page, `${query} (${colorScheme})`), []);
      } finally {
        await page.close();
      }
    });
  }

  for (const [query, language, heading] of [
    ['?lang=zh', 'zh-CN', '中继服务器'],
    ['?lang=zh-TW', 'zh-CN', '中继服务器'],
    ['?lang=fr', 'en', 'Relay'],
  ] as const) {
    it(`a language it does not offer as such (${query}) falls back to the nearest one it has, on the page and in the panels alike`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${base}${query}`);
        await page.waitForFunction(() => document.querySelectorAll('ws-chat-panel').length === 2);
        const shown = await page.evaluate(() => ({
          select: (document.getElementById('lang') as HTMLSelectElement).value,
          page: document.documentElement.lang,
          panels: [...document.querySelectorAll('ws-chat-panel')].map((panel) => panel.getAttribute('lang')),
          relayHeading: document.querySelector('[data-i18n="relayHeading"]')?.textContent ?? '',
        }));
        assert.deepEqual(shown, { select: language, page: language, panels: [language, language], relayHeading: heading });
      } finally {
        await page.close();
      }
    });
  }

  it('the event log is a Tab stop and scrolls with the keyboard', async () => {
    const page = await openWithEvents('?lang=en&theme=light', 'light');
    try {
      const log = page.locator('#log');
      assert.ok(await log.evaluate((element) => element.scrollHeight > element.clientHeight), 'the log overflows');
      await page.locator('#clear-log').focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'log', 'Tab from "Clear" reaches the log');
      await page.keyboard.press('PageDown');
      await page.waitForFunction(() => document.getElementById('log')!.scrollTop > 0, undefined, { timeout: 5000 });
    } finally {
      await page.close();
    }
  });
});
