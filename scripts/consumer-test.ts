// The package as a user receives it: `npm pack` (prepack builds), the tarball
// installed into a fresh project outside this repository, and used there as
// the README says, through the package's name only. One PASS or FAIL line per
// step; exit 1 when any failed. CI runs it after `npm test` (.ci/run).
//
//   npm run test:consumer                          (after npm ci; it packs, which builds)
//   CONSUMER_TEST_KEEP=1 npm run test:consumer     keep the temporary project to look at
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { README_RELAY, readmeParts, writeConsumerProject } from './consumer/project.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'lit-message-center-consumer-'));
const app = join(work, 'app');
const tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);
/** How long any one outcome may take on a busy machine; a passing run never waits this long. */
const DEADLINE_MS = 15_000;

/**
 * The environment of a user's shell: without what `npm run` and tsx set for
 * this script (npm_config_local_prefix would make npm treat this repository
 * as the project), but with the npm cache and registry if CI chose them.
 */
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !(name.startsWith('npm_') && name !== 'npm_config_cache' && name !== 'npm_config_registry') &&
      !['INIT_CWD', 'NODE_OPTIONS', 'NODE_ENV'].includes(name),
  ),
);

const exec = promisify(execFile);
/** Runs a command to its end; its output, or an error holding it. */
async function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec(command, args, { cwd, env: userEnv, timeout, maxBuffer: 64 << 20 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(error as Error).message.split('\n')[0]}\n${stderr}${stdout}`.trim());
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

let failed = 0;
/** Runs one step and prints its verdict; returns whether it passed. */
async function step(name: string, body: () => Promise<string | void> | string | void): Promise<boolean> {
  const started = performance.now();
  const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  try {
    const note = await body();
    console.log(`PASS ${name}${note ? `: ${note}` : ''} (${seconds()})`);
    return true;
  } catch (error) {
    failed++;
    console.log(`FAIL ${name} (${seconds()})\n${String((error as Error).message ?? error).replace(/^/gm, '     ')}`);
    return false;
  }
}

/** A free loopback port, for a process that must be told its port up front. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sha384 = (bytes: Uint8Array) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };

/** The user's web server: the built app (app/dist), and pages the test writes (`pages`). */
async function staticServer(root: string, pages: Map<string, string>): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    const page = pages.get(path);
    if (page !== undefined) return void response.writeHead(200, { 'content-type': TYPES['.html'] }).end(page);
    const file = join(root, normalize(path === '/' ? '/index.html' : path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface RelayRun {
  child: ChildProcess;
  /** What it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * Starts the installed bin, `npx message-center-relay …` (or `command` in its
 * place), and resolves once it logs that it listens.
 */
async function startBin(args: string[], command = ['npx', 'message-center-relay']): Promise<RelayRun> {
  // Its own process group: npx runs the relay through a shell, and whatever it started ends with the group.
  const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: app, env: userEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + DEADLINE_MS;
  while (!output.includes('"listening"')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the relay exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the relay did not listen within ${DEADLINE_MS / 1000} s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output, exited };
}

/** Whether any process of `child`'s group is still running. */
function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `read()` satisfies `done`, or fails naming `what` and the last value. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type PanelElement = HTMLElement & { status: string; messages: Array<{ text: string }> };
const panelState = (page: Page) =>
  page.evaluate(() => {
    const panel = document.querySelector('ws-chat-panel') as PanelElement | null;
    return { status: panel?.status ?? 'missing', texts: panel?.messages.map((message) => message.text) ?? [] };
  });

const started = performance.now();
const relays: RelayRun[] = [];
let relay: RelayRun | undefined;
let site: { server: Server; origin: string } | undefined;
let browser: Browser | undefined;
const sriPages = new Map<string, string>();

try {
  const readme = readmeParts();
  console.log(`consumer test of ${pkg.name}@${pkg.version} in ${work}`);

  await step("README's install line installs this package", () => {
    check(readme.name === pkg.name, `README says npm install ${readme.name}; the package is ${pkg.name}`);
    const text = readFileSync(join(repo, 'README.md'), 'utf8');
    check(text.includes(`${pkg.name}-${pkg.version}.tgz`), `README names the tarball npm pack writes, ${pkg.name}-${pkg.version}.tgz`);
    return `npm install ${readme.name}`;
  });

  const packed = await step('npm pack (prepack builds dist/)', async () => {
    await run('npm', ['pack', '--pack-destination', work, '--silent'], repo, 300_000);
    check(existsSync(tarball), `npm pack wrote no ${tarball}`);
    return `${(statSync(tarball).size / 1000).toFixed(1)} kB`;
  });
  if (!packed) throw new Error('nothing to test without the tarball');

  await step('the tarball holds what a user needs and nothing else', async () => {
    const files = (await run('tar', ['-tzf', tarball], work)).stdout.split('\n').filter(Boolean).map((path) => path.replace(/^package\//, ''));
    const unwanted = files.filter(
      (path) =>
        /^(test|bench|scripts|src)\//.test(path) ||
        // The demo's static pages only, which `message-center-relay --demo` serves; not the framework demos.
        (/^demo\//.test(path) && !/^demo\/[^/]+\.(html|css|js)$/.test(path)) ||
        path.includes('screenshots/') ||
        (/\.tsx?$/.test(path) && !path.endsWith('.d.ts')) ||
        path.endsWith('.d.ts.map'),
    );
    check(unwanted.length === 0, `it should not hold: ${unwanted.join(', ')}`);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/define.js', 'dist/message-center.min.js', 'dist/message-center.min.js.map', 'dist/message-center.min.js.sri', 'dist/locales/zh-CN.json', 'dist/server/cli.js', 'dist/custom-elements.json', 'demo/index.html', 'LICENSE', 'README.md']) {
      check(files.includes(needed), `it lacks ${needed}`);
    }
    return `${files.length} files`;
  });

  await step('npm publish --dry-run accepts the package, correcting nothing', async () => {
    // From the tarball's own contents: npm checks a folder's manifest, and
    // "corrects" what it dislikes by dropping it (a bin path starting with ./
    // loses the bin), saying so only in a warning; given a .tgz it says nothing.
    // Its scripts are not run: prepack already built what is in it.
    await run('tar', ['-xzf', tarball, '-C', work], work);
    const { stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts'], join(work, 'package'));
    // Any warning but the one that there is no login (a dry run needs none).
    const warnings = stderr.split('\n').filter((line) => line.startsWith('npm warn') && !/requires you to be logged in/.test(line));
    check(warnings.length === 0, `npm warned:\n${warnings.join('\n')}`);
    check(stderr.includes(`${pkg.name}@${pkg.version}`), `npm did not name ${pkg.name}@${pkg.version}:\n${stderr}`);
  });

  const relayPort = await freePort();
  mkdirSync(app);
  writeConsumerProject(app, `127.0.0.1:${relayPort}`);
  const installed = await step(`npm install ${pkg.name} (the tarball) into a new project in ${tmpdir()}`, async () => {
    // The README's install line, given the tarball in place of the name.
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], app, 300_000);
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8')) as { version: string };
    check(manifest.version === pkg.version, `installed ${manifest.version}`);
  });
  if (!installed) throw new Error('nothing to test without the installed package');

  await step(`Node without a DOM imports ${pkg.name} and ${pkg.name}/protocol`, async () => (await run('node', ['check-ssr.mjs'], app)).stdout.trim());
  await step("README's page-bus snippet runs in Node", async () => void (await run('node', ['readme-page-bus.mjs'], app)));
  await step(`${pkg.name}/server: createRelayServer on port 0 welcomes a ws client`, async () => (await run('node', ['check-server.mjs'], app)).stdout.trim());
  // Side by side: each checks every declaration file it reaches (skipLibCheck off), which takes a while.
  await Promise.all([
    step('TypeScript: React, Vue and element types check with moduleResolution bundler', async () => void (await run('npx', ['tsc', '-p', 'tsconfig.bundler.json'], app))),
    step('TypeScript: the same with module and moduleResolution node16', async () => void (await run('npx', ['tsc', '-p', 'tsconfig.node16.json'], app))),
  ]);
  const built = await step(`vite build of an app importing ${pkg.name}/define`, async () => void (await run('npx', ['vite', 'build', '--logLevel', 'warn'], app)));

  site = await staticServer(join(app, 'dist'), sriPages);
  const relayBase = `http://127.0.0.1:${relayPort}`;
  const bin = await step('npx message-center-relay --port N starts the installed relay (no build step); a client is welcomed', async () => {
    relay = await startBin(['--host', '127.0.0.1', '--port', String(relayPort), '--allow-origin', site!.origin]);
    relays.push(relay);
    return (await run('node', ['welcome.mjs', `ws://127.0.0.1:${relayPort}/`], app)).stdout.trim();
  });

  let integrity = '';
  await step('the relay serves the integrity of the bytes it serves; --sri prints the same', async () => {
    check(bin, 'needs the relay');
    const bundle = new Uint8Array(await (await fetch(`${relayBase}/message-center@${pkg.version}.min.js`)).arrayBuffer());
    integrity = (await (await fetch(`${relayBase}/message-center@${pkg.version}.min.js.sri`)).text()).trim();
    check(integrity === sha384(bundle), `served ${integrity}, but the bundle's sha384 is ${sha384(bundle)}`);
    const printed = (await run('npx', ['message-center-relay', '--sri'], app)).stdout.trim();
    check(printed === integrity, `--sri printed ${printed}`);
    const file = readFileSync(join(app, 'node_modules', pkg.name, 'dist', 'message-center.min.js.sri'), 'utf8').trim();
    check(file === integrity, `the package's dist/message-center.min.js.sri says ${file}`);
    return integrity;
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

  await step('two pages of the built app chat through the installed relay in Chromium', async () => {
    check(built && bin, 'needs the built app and the relay');
    const [ada, bob] = await Promise.all([browser!.newPage(), browser!.newPage()]);
    const errors: string[] = [];
    for (const page of [ada, bob]) page.on('pageerror', (error) => errors.push(error.message));
    await ada.goto(`${site!.origin}/index.html`);
    await bob.goto(`${site!.origin}/bob.html`);
    for (const page of [ada, bob]) await until(() => panelState(page), (state) => state.status === 'online', 'both panels online');
    const text = `Hello from a user's app, ${Date.now()}`;
    await ada.locator('ws-chat-panel textarea').fill(text);
    await ada.locator('ws-chat-panel textarea').press('Enter');
    await until(() => panelState(bob), (state) => state.texts.includes(text), "Ada's message in Bob's panel");
    await bob.locator('ws-chat-panel').getByText(text).waitFor({ timeout: DEADLINE_MS });
    check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  });

  await step("README's pinned script tag loads with its integrity, and not with a wrong one", async () => {
    check(bin && integrity, 'needs the relay and its integrity');
    check(readme.pinnedScript.includes(`message-center@${pkg.version}.min.js`), `the README's snippet pins another version than ${pkg.version}`);
    const snippet = (hash: string) =>
      readme.pinnedScript.replace(/https:\/\/[^/"]+\//, `${relayBase}/`).replace('sha384-…', hash);
    check(snippet(integrity).includes(`${relayBase}/message-center@${pkg.version}.min.js`) && snippet(integrity).includes(integrity), `could not aim the snippet at the relay: ${readme.pinnedScript}`);
    const wrong = sha384(new TextEncoder().encode('not the bundle'));
    sriPages.set('/sri-right.html', `<!doctype html><meta charset="utf-8">${snippet(integrity)}`);
    sriPages.set('/sri-wrong.html', `<!doctype html><meta charset="utf-8">${snippet(wrong)}`);
    const loaded = async (path: string) => {
      const page = await browser!.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(message.text()));
      await page.goto(`${site!.origin}${path}`, { waitUntil: 'load' });
      const ran = await page.evaluate(() => typeof (globalThis as { MessageCenter?: unknown }).MessageCenter === 'object' && customElements.get('ws-chat-panel') !== undefined);
      await page.close();
      return { ran, console };
    };
    const right = await loaded('/sri-right.html');
    check(right.ran, `with the served integrity the bundle did not run: ${right.console.join('; ')}`);
    const refused = await loaded('/sri-wrong.html');
    check(!refused.ran, 'with a wrong integrity the bundle ran');
    check(refused.console.some((line) => /integrity/i.test(line)), `Chromium did not say why it refused: ${refused.console.join('; ')}`);
  });

  await step('npx message-center-relay stops on SIGTERM to its process group (Ctrl-C, a supervisor), closing its port', async () => {
    check(relay && relay.child.exitCode === null, 'needs the running relay');
    // A SIGTERM to npx alone stops npm, not the relay it started through a shell (docs/relay.md says so).
    process.kill(-relay.child.pid!, 'SIGTERM');
    await until(async () => groupAlive(relay!.child), (alive) => !alive, 'every process of the group to exit');
    check(/SIGTERM: closing every connection/.test(relay.output()), `the relay did not say it was stopping:\n${relay.output()}`);
    const refused = await fetch(`${relayBase}/healthz`).then(() => false, () => true);
    check(refused, 'the port still answers');
  });

  await step('the installed bin, started directly with --demo, serves the demo page and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const direct = await startBin(['--host', '127.0.0.1', '--port', String(port), '--demo'], [join(app, 'node_modules', '.bin', 'message-center-relay')]);
    relays.push(direct);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const html = await page.text();
    check(page.status === 200 && html.includes('message-center.min.js') && html.includes('integrity='), `GET / answered ${page.status}: ${html.slice(0, 200)}`);
    direct.child.kill('SIGTERM');
    const code = await Promise.race([direct.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), DEADLINE_MS))]);
    check(code === 0, `it ended with ${code}:\n${direct.output()}`);
  });
} catch (error) {
  failed++;
  console.log(`FAIL ${(error as Error).message}`);
} finally {
  await browser?.close();
  site?.server.close();
  for (const run of relays) if (groupAlive(run.child)) process.kill(-run.child.pid!, 'SIGKILL');
  if (process.env.CONSUMER_TEST_KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

console.log(`${failed === 0 ? 'consumer test passed' : `consumer test: ${failed} failed`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed === 0 ? 0 : 1);
