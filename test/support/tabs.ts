// Tabs of one browser against one relay, for test/node/shared-connection.test.ts
// and bench/tabs: the relay serving test/support/tabs-page/, the browser
// sockets it holds counted on the server, Chromium, and what a tab's panels show.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import type { ChatMessage } from '../../src/client/types.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import type { RelayServerOptions } from '../../src/server/options.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The WebSockets browsers opened to a relay (upgrades with an Origin header: Node clients send none). */
export interface BrowserSockets {
  /** Those still open. */
  readonly open: number;
  /** Bytes the relay wrote to all of them, open or closed, since `reset()`. */
  readonly bytesWritten: number;
  /** Forgets the closed ones and counts bytes from now on. */
  reset(): void;
}

export function watchBrowserSockets(relay: RelayServer): BrowserSockets {
  const sockets = new Map<Duplex, number>(); // socket → bytesWritten when counting started
  const closed = new Set<Duplex>();
  relay.httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (request.headers.origin === undefined) return;
    sockets.set(socket, 0);
    socket.once('close', () => closed.add(socket));
  });
  const written = (socket: Duplex) => (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  return {
    get open() {
      return sockets.size - closed.size;
    },
    get bytesWritten() {
      let sum = 0;
      for (const [socket, from] of sockets) sum += written(socket) - from;
      return sum;
    },
    reset() {
      for (const socket of closed) sockets.delete(socket);
      closed.clear();
      for (const socket of sockets.keys()) sockets.set(socket, written(socket));
    },
  };
}

/** A relay on loopback that serves the tab page (`/`, `/frame.html`) and the script-tag bundle. */
export async function startTabsRelay(options: Partial<RelayServerOptions> = {}): Promise<{ relay: RelayServer; sockets: BrowserSockets; base: string }> {
  const relay = await createRelayServer({
    port: 0,
    host: '127.0.0.1',
    logger: false,
    static: { root: `${root}/test/support/tabs-page`, files: { '/message-center.min.js': `${root}/dist/message-center.min.js` } },
    ...options,
  });
  return { relay, sockets: watchBrowserSockets(relay), base: `http://127.0.0.1:${relay.port}/` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A browser context (one profile: tabs in it share an origin's locks, channels and storage). */
export async function newTabs(browser: Browser, initScript?: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  // tsx (esbuild keepNames) wraps functions passed to evaluate() in a __name helper the page lacks.
  await context.addInitScript('globalThis.__name = (fn) => fn');
  if (initScript) await context.addInitScript(initScript);
  return context;
}

export interface TabQuery {
  url: string;
  user?: string;
  room?: string;
  shared?: 'on' | 'off';
  history?: number;
  panels?: number;
}

export function tabQuery(query: TabQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  return `?${params}`;
}

/** Opens a tab of the page (`path` under the relay's `base`) in `context`. */
/** What each tab threw and did not catch (unhandled rejections included), from its first script on. */
export const uncaught = new WeakMap<Page, string[]>();

export async function openTab(context: BrowserContext, base: string, query: TabQuery, path = ''): Promise<Page> {
  const page = await context.newPage();
  const thrown: string[] = [];
  uncaught.set(page, thrown);
  page.on('pageerror', (error) => {
    thrown.push(error.message);
    console.error(`page error (${page.url()}): ${error.message}`);
  });
  await page.goto(`${base}${path}${tabQuery(query)}`);
  return page;
}

export interface ShownMessage {
  id: string;
  text: string;
  own: boolean;
  state?: string;
}

export interface PanelView {
  status: string;
  sharing: string | undefined;
  roster: string[];
  messages: ShownMessage[];
}

export interface TabView {
  panels: PanelView[];
  errors: Array<{ code: string; message: string }>;
}

/** What the panels of a tab (or frame) show. Never call it on a frozen page: it would wait for the page to thaw. */
export function viewOf(target: Page | Frame): Promise<TabView> {
  return target.evaluate(() => {
    type Panel = HTMLElement & {
      status: string;
      sharing?: string;
      roster: ReadonlyArray<{ name: string }>;
      messages: Array<{ id: string; text: string; own: boolean; state?: string }>;
    };
    const panels = [...document.querySelectorAll('ws-chat-panel')] as unknown as Panel[];
    return {
      panels: panels.map((panel) => ({
        status: panel.status,
        sharing: panel.sharing,
        roster: panel.roster.map((peer) => peer.name),
        messages: panel.messages.map(({ id, text, own, state }) => ({ id, text, own, state })),
      })),
      errors: ((window as unknown as { __errors?: Array<{ code: string; message: string }> }).__errors ?? []).map(({ code, message }) => ({ code, message })),
    };
  });
}

/** Sends `texts` from the tab's first panel, at once; the ids of the messages (undefined for a refused one). */
export function sendFrom(target: Page | Frame, texts: string[]): Promise<Array<string | undefined>> {
  return target.evaluate((texts) => {
    const panel = document.querySelector('ws-chat-panel') as unknown as { send(data: unknown): { id: string } | undefined };
    return texts.map((text) => panel.send(text)?.id);
  }, texts);
}

/** A Node user on the relay, counting what it receives. */
export class NodeUser {
  readonly client: ChatClient;
  /** How many times each message (by text) arrived. */
  readonly received = new Map<string, number>();
  /** How many times each message id arrived. */
  readonly receivedIds = new Map<string, number>();
  /** How many times each name joined. */
  readonly joins = new Map<string, number>();

  constructor(url: string, name: string, room?: string) {
    this.client = new ChatClient({
      url,
      name,
      WebSocket: WebSocket as never,
      store: memoryStore(),
      history: 0,
      minReconnectionDelay: 20,
      maxReconnectionDelay: 100,
      ...(room ? { rooms: [room] } : {}),
    });
    this.client.on('message', (message: ChatMessage) => {
      this.received.set(message.text, (this.received.get(message.text) ?? 0) + 1);
      this.receivedIds.set(message.id, (this.receivedIds.get(message.id) ?? 0) + 1);
    });
    this.client.on('presence', (detail) => {
      if (detail.kind === 'join' && detail.peer) this.joins.set(detail.peer.name, (this.joins.get(detail.peer.name) ?? 0) + 1);
    });
    this.client.connect();
  }

  /** How many of the peers online are called `name`. */
  rosterCount(name: string): number {
    return this.client.roster.filter((peer) => peer.name === name).length;
  }

  close(): void {
    this.client.close();
  }
}

/**
 * Polls `check` until it returns undefined (satisfied); it returns what it
 * saw otherwise, and the last of that is the failure's message after `timeout` ms.
 */
export async function until(what: string, check: () => Promise<string | undefined> | string | undefined, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let seen: string | undefined;
  for (;;) {
    seen = await check();
    if (seen === undefined) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
