// The demo page's side of the relay (`--demo`, or the `demoControls` option):
// what the CLI serves for it, its pages, and its controls over HTTP, which drop
// a user's connections or restart the relay so the page can show reconnecting
// and resuming. Loaded only when asked for: a production relay has none of it.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { bundleIntegrity } from './client-bundle.js';
import type { RelayServerOptions } from './options.js';
import { packageRoot } from './package-files.js';

/** What the demo controls act on (the relay server's own, not part of its public API). */
export interface DemoTarget {
  /** Drops matching connections abruptly; how many were dropped. */
  drop(filter: { name?: string }): number;
  /** Closes the relay, waits `downtime` ms (upgrades get 503 meanwhile), and starts it again. */
  restart(downtime: number): Promise<void>;
}

/** ms a restart may keep the relay down at most, whatever the page asks for. */
const MAX_DOWNTIME = 10_000;

/** The CLI's --demo: the demo page at /, its controls, and origins open to the framework demos. */
export function withDemo(options: RelayServerOptions): RelayServerOptions {
  return {
    ...options,
    demoControls: true,
    // The framework demos run on other ports and connect here.
    allowOrigins: options.allowOrigins ?? ['*'],
    static: { root: resolve(packageRoot(), 'demo') },
  };
}

/** How the demo's pages load the script bundle, in their source. */
const BUNDLE_TAG = '<script src="/message-center.min.js"></script>';

/**
 * The HTML pages of the demo folder (`/` for index.html, `/NAME.html` or
 * `/NAME`), with `integrity` and `crossorigin` added to the bundle's script
 * tag: the demo loads the bundle as a production page should, and its hash
 * changes with every build, so it is added as the page is served. Returns
 * whether it answered the request.
 */
export function demoPages(root: string) {
  return (path: string, request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const name = path === '/' ? 'index' : /^\/([\w-]+)(?:\.html)?$/.exec(path)?.[1];
    if (name === undefined) return false;
    let html: string;
    try {
      html = readFileSync(resolve(root, `${name}.html`), 'utf8');
    } catch {
      return false;
    }
    const integrity = bundleIntegrity();
    if (integrity !== undefined) {
      html = html.replaceAll(BUNDLE_TAG, `<script src="/message-center.min.js" integrity="${integrity}" crossorigin="anonymous"></script>`);
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : html);
    return true;
  };
}

/**
 * `POST /demo/drop?name=N` drops that user's connections as a network failure
 * would (everyone's without a name); `POST /demo/restart?downtime=MS` restarts
 * the relay (an in-memory relay loses its state, one with `dataDir` keeps it).
 * Returns whether it answered the request.
 */
export function demoControls(target: DemoTarget) {
  return (path: string, request: IncomingMessage, response: ServerResponse): boolean => {
    if (!path.startsWith('/demo/')) return false;
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    const query = new URL(request.url ?? '/', 'http://relay.invalid').searchParams;
    const reply = (body: object) => {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (path === '/demo/drop') {
      const name = query.get('name');
      reply({ dropped: target.drop(name ? { name } : {}) });
    } else if (path === '/demo/restart') {
      void target.restart(Math.min(MAX_DOWNTIME, Number(query.get('downtime') ?? 2000) || 0));
      reply({ restarting: true });
    } else {
      response.writeHead(404).end();
    }
    return true;
  };
}
