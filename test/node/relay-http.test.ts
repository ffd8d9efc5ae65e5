import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { relayFixture } from '../support/relay-fixture.js';
import { startRelayProcess } from '../support/relay-process.js';

// What the relay answers over plain HTTP. The script bundle comes from the
// build (npm test builds first; run `npm run build --silent` before running
// this file alone).

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const BUNDLE = readFileSync('dist/message-center.min.js');
const SOURCE_MAP = readFileSync('dist/message-center.min.js.map');
const ZH_CN = readFileSync('dist/locales/zh-CN.json');

/** A request without keep-alive, so no socket outlives the test's relay. */
const get = (base: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { connection: 'close', ...(init.headers as object) }, signal: AbortSignal.timeout(5000) });

/** The script bundle as a page loads it, in every mode of the relay that listens on `base`. */
async function checkBundle(base: string): Promise<void> {
  const latest = await get(base, '/message-center.min.js');
  assert.equal(latest.status, 200);
  assert.equal(latest.headers.get('content-type'), 'text/javascript; charset=utf-8', 'the bundle holds non-ASCII text: say it is UTF-8');
  assert.deepEqual(Buffer.from(await latest.arrayBuffer()), BUNDLE);
  assert.equal(latest.headers.get('cache-control'), 'no-cache', 'the unversioned path is revalidated');
  const etag = latest.headers.get('etag');
  assert.ok(etag, 'an ETag to revalidate with');
  // A page on another origin may load it with crossorigin (for error details, or integrity=).
  assert.equal(latest.headers.get('access-control-allow-origin'), '*');
  assert.equal(latest.headers.get('cross-origin-resource-policy'), 'cross-origin');
  assert.equal(latest.headers.get('x-content-type-options'), 'nosniff');

  const revalidated = await get(base, '/message-center.min.js', { headers: { 'if-none-match': etag } });
  assert.equal(revalidated.status, 304);
  assert.equal((await revalidated.arrayBuffer()).byteLength, 0);

  const head = await get(base, '/message-center.min.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(BUNDLE.length));
  assert.equal(head.headers.get('etag'), etag);

  const map = await get(base, '/message-center.min.js.map');
  assert.equal(map.status, 200);
  assert.equal(map.headers.get('content-type'), 'application/json');
  assert.equal(map.headers.get('access-control-allow-origin'), '*', 'devtools and error trackers fetch maps cross-origin');
  assert.deepEqual(Buffer.from(await map.arrayBuffer()), SOURCE_MAP);

  const pinned = await get(base, `/message-center@${VERSION}.min.js`);
  assert.equal(pinned.status, 200);
  assert.deepEqual(Buffer.from(await pinned.arrayBuffer()), BUNDLE);
  assert.equal(pinned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(pinned.headers.get('access-control-allow-origin'), '*');
  // The file's own comment names the unversioned map, which a later version replaces.
  assert.equal(pinned.headers.get('sourcemap'), `message-center@${VERSION}.min.js.map`);
  const pinnedMap = await get(base, `/message-center@${VERSION}.min.js.map`);
  assert.equal(pinnedMap.status, 200);
  assert.equal(pinnedMap.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.deepEqual(Buffer.from(await pinnedMap.arrayBuffer()), SOURCE_MAP);

  // The locales the bundle loads on demand, beside it: latest (revalidated) and pinned (immutable), as readable cross-origin.
  for (const [path, caching] of [
    ['/locales/zh-CN.json', 'no-cache'],
    [`/locales/zh-CN@${VERSION}.json`, 'public, max-age=31536000, immutable'],
  ]) {
    const locale = await get(base, path!);
    assert.equal(locale.status, 200, path);
    assert.equal(locale.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(locale.headers.get('cache-control'), caching);
    assert.equal(locale.headers.get('access-control-allow-origin'), '*', 'fetched from pages on other origins');
    assert.equal(locale.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.deepEqual(Buffer.from(await locale.arrayBuffer()), ZH_CN);
  }
  for (const path of ['/locales/zh-CN@0.0.0-other.json', '/locales/fr.json', '/locales/', '/locales/../package.json']) {
    const response = await get(base, path);
    assert.equal(response.status, 404, path);
    await response.body?.cancel();
  }

  assert.equal((await get(base, '/message-center@0.0.0-other.min.js')).status, 404, 'another version is not this file');
  await checkIntegrity(base);
  const post = await get(base, '/message-center.min.js', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
}

/** The value of an `integrity` attribute for `bytes`. */
const sha384 = (bytes: Uint8Array) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/** The bundle's subresource integrity, as the relay serves it: the hash of the very bytes it serves. */
async function checkIntegrity(base: string): Promise<void> {
  for (const [path, cacheControl] of [
    ['/message-center.min.js', 'no-cache'],
    [`/message-center@${VERSION}.min.js`, 'public, max-age=31536000, immutable'],
  ] as const) {
    const served = Buffer.from(await (await get(base, path)).arrayBuffer());
    const sri = await get(base, `${path}.sri`);
    assert.equal(sri.status, 200, `${path}.sri`);
    assert.equal(sri.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(sri.headers.get('cache-control'), cacheControl, `${path}.sri is cached as its bundle is`);
    assert.equal(sri.headers.get('access-control-allow-origin'), '*', 'a build step on another site may fetch it');
    assert.equal((await sri.text()).trim(), sha384(served), `${path}.sri is the sha384 of what ${path} serves`);
  }
}

describe('the relay over plain HTTP', () => {
  const fixture = relayFixture();

  it('serves the script bundle and its source map, with caching and CORS, without the demo', async () => {
    const relay = await fixture.relay();
    await checkBundle(`http://127.0.0.1:${relay.port}`);
  });

  it('answers 404 for unknown paths, 426 for a plain request on the WebSocket path', async () => {
    const relay = await fixture.relay();
    const base = `http://127.0.0.1:${relay.port}`;
    for (const path of ['/favicon.ico', '/index.html', '/demo.js', '/demo/drop', '/message-center.js', '/../package.json']) {
      const response = await get(base, path);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const root = await get(base, '/');
    assert.equal(root.status, 426, 'GET / without an upgrade');
    assert.equal(root.headers.get('upgrade'), 'websocket');
    await root.body?.cancel();

    const onPath = await fixture.relay({ path: '/chat' });
    const pathBase = `http://127.0.0.1:${onPath.port}`;
    assert.equal((await get(pathBase, '/chat?token=x')).status, 426, 'the configured path, query and all');
    assert.equal((await get(pathBase, '/')).status, 404, 'not the WebSocket path');
    assert.equal((await get(pathBase, '/message-center.min.js')).status, 200);
  });

  it('the CLI serves the bundle without --demo, and only --demo serves the demo', async () => {
    const relay = await startRelayProcess([]);
    try {
      const base = `http://127.0.0.1:${relay.port}`;
      await checkBundle(base);
      assert.equal((await get(base, '/favicon.ico')).status, 404);
      assert.equal((await get(base, '/')).status, 426);
      assert.equal((await get(base, '/demo.js')).status, 404);
    } finally {
      await relay.kill();
    }
    // --sri prints what the relay serves, and starts nothing.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--sri'], { timeout: 10_000 });
    assert.equal(stdout, `${sha384(BUNDLE)}\n`);
    const demo = await startRelayProcess(['--demo']);
    try {
      const base = `http://127.0.0.1:${demo.port}`;
      const page = await get(base, '/');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<message-center-provider/);
      // The demo page loads the bundle as a production page should: with its integrity.
      const tags = html.match(/<script src="\/message-center\.min\.js"[^>]*>/g);
      assert.deepEqual(tags, [`<script src="/message-center.min.js" integrity="${sha384(BUNDLE)}" crossorigin="anonymous">`]);
      await checkBundle(base);
      assert.equal((await get(base, '/favicon.ico')).status, 404);
    } finally {
      await demo.kill();
    }
  });
});
