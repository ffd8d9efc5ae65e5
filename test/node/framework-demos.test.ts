// The three framework demos (npm run demo:react, demo:vue, demo:angular), as
// a person runs them: all three Vite dev servers up at the same time, each
// page loaded in Chromium, Ada and Bob online under their own names, and a
// line typed in Ada's panel arriving in Bob's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, resolveConfig, type ViteDevServer } from 'vite';
import { demoServer } from '../../demo/vite-demo.js';

const DEMOS = ['react', 'vue', 'angular'] as const;
const configFile = (demo: string) => fileURLToPath(new URL(`../../demo/${demo}/vite.config.ts`, import.meta.url));
/** Vite discovers and bundles each demo's dependencies on first start; Angular then compiles in the page. */
const FIRST_LOAD_MS = 90_000;

interface PanelView {
  userName: string;
  status: string;
  roster: Array<{ name: string }>;
  messages: Array<{ text: string; from: { name: string } }>;
}

describe('the framework demos', () => {
  const servers: ViteDevServer[] = [];
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.close()));
  });

  it('each has its own Vite cache directory and its own port, so all three can run at once', async () => {
    const configs = await Promise.all(DEMOS.map((demo) => resolveConfig({ configFile: configFile(demo), logLevel: 'silent' }, 'serve')));
    const cacheDirs = configs.map((config) => config.cacheDir);
    const ports = configs.map((config) => config.server.port);
    assert.equal(new Set(cacheDirs).size, 3, `cache directories: ${cacheDirs.join(', ')}`);
    assert.equal(new Set(ports).size, 3, `ports: ${ports.join(', ')}`);
    assert.ok(ports.every((port) => typeof port === 'number'), `every demo names its port: ${ports.join(', ')}`);
  });

  it('started together, each loads in Chromium and Ada and Bob chat under their own names', { timeout: 4 * FIRST_LOAD_MS }, async () => {
    // Any free port, and a cache beside the demo's own: the test must not fight a demo someone is running.
    servers.push(
      ...(await Promise.all(
        DEMOS.map(async (demo) => {
          const server = await createServer({
            configFile: configFile(demo),
            logLevel: 'error',
            cacheDir: `${demoServer[demo].cacheDir}-test`,
            server: { port: 0, strictPort: true },
          });
          return server.listen();
        }),
      )),
    );
    const failures: string[] = [];
    await Promise.all(
      DEMOS.map(async (demo, index) => {
        const page = await browser.newPage();
        page.on('pageerror', (error) => failures.push(`${demo}: ${error.message}`));
        try {
          await chat(page, demo, servers[index]!.resolvedUrls!.local[0]!);
        } catch (error) {
          failures.push(`${demo}: ${(error as Error).message}`);
        } finally {
          await page.close();
        }
      }),
    );
    assert.deepEqual(failures, []);
  });
});

async function chat(page: Page, demo: string, url: string): Promise<void> {
  // tsx (esbuild keepNames) wraps functions passed to evaluate() in a __name helper the page lacks.
  await page.addInitScript('globalThis.__name = (fn) => fn');
  await page.goto(url);
  const panels = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('ws-chat-panel')].map((element) => {
        const panel = element as unknown as PanelView;
        return { userName: panel.userName, status: panel.status, roster: panel.roster.map((peer) => peer.name), messages: panel.messages };
      }),
    );
  await until(page, async () => {
    const shown = await panels();
    return shown.length === 2 && shown.every((panel) => panel.status === 'online' && panel.roster.length === 2);
  }, `${demo}: two panels online, each seeing both`);

  const [ada, bob] = await panels();
  assert.deepEqual([ada!.userName, bob!.userName], ['Ada', 'Bob'], `${demo}: the panels' user names`);
  assert.deepEqual([...bob!.roster].sort(), ['Ada', 'Bob'], `${demo}: who Bob sees online`);

  const line = `hello from Ada on ${demo}`;
  const textbox = page.locator('ws-chat-panel').first().locator('textarea');
  await textbox.click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await until(page, async () => {
    const [, bobNow] = await panels();
    return bobNow!.messages.some((message) => message.text === line && message.from.name === 'Ada');
  }, `${demo}: Bob receives Ada's line from Ada`);
}

/**
 * Polls `check` until it holds. A first load may reload the page once (Vite
 * found a dependency to bundle late), which destroys the page's context under
 * a pending evaluate: that is retried, not failed.
 */
async function until(page: Page, check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + FIRST_LOAD_MS;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (!/context was destroyed|navigation/i.test((error as Error).message)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}
