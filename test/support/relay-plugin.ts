import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestRunnerPlugin } from '@web/test-runner';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { BlackholeProxy } from './blackhole-proxy.js';
import { Crowd } from './crowd.js';
import { EchoServer } from './echo-server.js';
import { startOriginalServer } from './original-server.js';

/** A file a page server serves: an HTML page, or (with its type) a script or data beside it. */
interface PageFile {
  body: string;
  type: string;
}

interface Started {
  stop(): Promise<void>;
}

/**
 * Server commands through which browser tests start and drive real servers
 * on loopback: plain echo servers, Message Center relays, and the original
 * IP-routing server. Everything a test session starts is stopped when the
 * test run ends, so a failing test leaves nothing running.
 */
export function relayPlugin(): TestRunnerPlugin {
  const echoServers = new Map<string, EchoServer>();
  const relays = new Map<string, { relay: RelayServer; options: RelayServerOptions }>();
  const others = new Map<string, Started>();
  const proxies = new Map<string, BlackholeProxy>();
  const crowds = new Map<string, Crowd>();
  const pages = new Map<string, Map<string, PageFile>>();
  let nextId = 0;
  // The test pages' own origin: relays run on other ports, so they must let
  // it in (a relay refuses pages from other origins by default).
  let pageOrigins: string[] = [];

  const echo = (id: unknown): EchoServer => {
    const server = echoServers.get(String(id));
    if (!server) throw new Error(`no echo server ${String(id)}`);
    return server;
  };
  const relayEntry = (id: unknown) => {
    const entry = relays.get(String(id));
    if (!entry) throw new Error(`no relay ${String(id)}`);
    return entry;
  };
  const proxy = (id: unknown): BlackholeProxy => {
    const found = proxies.get(String(id));
    if (!found) throw new Error(`no proxy ${String(id)}`);
    return found;
  };
  const describe = (id: string, relay: RelayServer) => ({ id, url: relay.url, port: relay.port, epoch: relay.epoch });

  return {
    name: 'message-center-relays',
    async executeCommand({ command, payload }) {
      const args = (payload ?? {}) as Record<string, unknown>;
      switch (command) {
        case 'echo-start': {
          const server = await new EchoServer({ protocols: args.protocols as string[] | undefined }).start();
          const id = String(++nextId);
          echoServers.set(id, server);
          return { id, url: server.url, port: server.port };
        }
        case 'echo-drop':
          echo(args.id).drop();
          return true;
        case 'echo-stop':
          await echo(args.id).stop();
          return true;
        case 'echo-restart':
          await echo(args.id).start();
          return true;
        case 'echo-stats': {
          const server = echo(args.id);
          return { clients: server.clients, connections: server.connections };
        }
        case 'relay-start': {
          const options = { port: 0, host: '127.0.0.1', logger: false, allowOrigins: pageOrigins, ...(args.options as object) } as RelayServerOptions;
          const relay = await createRelayServer(options);
          const id = String(++nextId);
          relays.set(id, { relay, options: { ...options, port: relay.port! } });
          return describe(id, relay);
        }
        case 'relay-stop':
          await relayEntry(args.id).relay.close();
          return true;
        case 'relay-restart': {
          // Same port, fresh process state: what clients see when the relay restarts.
          const entry = relayEntry(args.id);
          await entry.relay.close();
          entry.relay = await createRelayServer(entry.options);
          return describe(String(args.id), entry.relay);
        }
        case 'relay-resume': {
          const entry = relayEntry(args.id);
          entry.relay = await createRelayServer(entry.options);
          return describe(String(args.id), entry.relay);
        }
        case 'relay-drop':
          return relayEntry(args.id).relay.drop((args.filter as object) ?? {});
        case 'relay-stats': {
          const { relay } = relayEntry(args.id);
          return { connections: relay.connections, online: relay.online };
        }
        case 'crowd-join': {
          // Many real connections into one room of a relay, from this side: a big room around the test page.
          // Answered at once (a command must answer within 20 s); crowd-stats tells how far they got.
          const crowd = new Crowd();
          const id = String(++nextId);
          crowds.set(id, crowd);
          void crowd.join(relayEntry(args.relay).relay.url, String(args.room), Number(args.count), String(args.prefix ?? 'member-'));
          return { id };
        }
        case 'crowd-stats': {
          const crowd = crowds.get(String(args.id));
          return { welcomed: crowd?.welcomed ?? 0, failure: crowd?.failure };
        }
        case 'crowd-leave':
          crowds.get(String(args.id))?.close();
          crowds.delete(String(args.id));
          return true;
        case 'proxy-start': {
          // A network path to a relay that a test can cut (as a lost Wi-Fi does) and restore.
          const started = new BlackholeProxy(relayEntry(args.relay).relay.port!);
          const port = await started.start();
          const id = String(++nextId);
          proxies.set(id, started);
          return { id, url: `ws://127.0.0.1:${port}/` };
        }
        case 'proxy-cut':
          proxy(args.id).cut();
          return true;
        case 'proxy-restore':
          proxy(args.id).restore();
          return true;
        case 'proxy-hold':
          proxy(args.id).hold();
          return true;
        case 'proxy-release':
          proxy(args.id).release();
          return true;
        case 'page-start': {
          // A web server of its own, on its own port: pages served from another
          // origin than the test page's (and than the relay's).
          const files = new Map<string, PageFile>();
          const server = createServer((request, response) => {
            const file = files.get(new URL(request.url ?? '/', 'http://page').pathname);
            response.writeHead(file === undefined ? 404 : 200, { 'content-type': file?.type ?? 'text/plain; charset=utf-8' });
            response.end(file?.body ?? 'not found');
          });
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
          const id = String(++nextId);
          pages.set(id, files);
          others.set(id, {
            stop: () =>
              new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
              }),
          });
          return { id, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
        }
        case 'page-put': {
          const files = pages.get(String(args.id));
          if (!files) throw new Error(`no page server ${String(args.id)}`);
          files.set(String(args.path), { body: String(args.html), type: typeof args.type === 'string' ? args.type : 'text/html; charset=utf-8' });
          return true;
        }
        case 'original-start': {
          const server = await startOriginalServer();
          const id = String(++nextId);
          others.set(id, { stop: server.close });
          return { id, url: server.url };
        }
        default:
          return undefined;
      }
    },
    serverStart({ config }) {
      const protocol = config.http2 ? 'https' : 'http';
      pageOrigins = [...new Set([config.hostname ?? 'localhost', 'localhost', '127.0.0.1'])].map((host) => `${protocol}://${host}:${config.port}`);
    },
    async serverStop() {
      for (const crowd of crowds.values()) crowd.close();
      await Promise.all([
        ...[...echoServers.values()].map((server) => server.stop()),
        ...[...relays.values()].map(({ relay }) => relay.close()),
        ...[...others.values()].map((server) => server.stop()),
        ...[...proxies.values()].map((started) => started.stop()),
      ]);
    },
  };
}
