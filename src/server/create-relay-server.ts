import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AdmissionControl } from './admission.js';
import { clientBundleHandler } from './client-bundle.js';
import { pathOf, staticHandler } from './http.js';
import { createLogger } from './logger.js';
import { resolveOptions, type RelayServerOptions } from './options.js';
import { Relay } from './relay.js';
import { openCoordinator } from './open-coordinator.js';

/** ms sockets get for their closing handshake at shutdown (less when the grace period is short). */
const CLOSING_HANDSHAKE_MS = 2000;

export interface RelayServer {
  /** The port it listens on (the attached server's, when attached and listening). */
  readonly port: number | undefined;
  /** ws:// URL of the relay on loopback, for tests and examples. */
  readonly url: string;
  /** The HTTP server carrying the relay (yours when attached). */
  readonly httpServer: HttpServer;
  /** The log's epoch (changes on every start of the in-memory relay). */
  readonly epoch: string;
  /** Open sockets, including those still in their handshake. */
  readonly connections: number;
  /** Clients past their handshake (the online count). */
  readonly online: number;
  /**
   * Drops matching connections abruptly, as a network failure would (no
   * closing handshake): for operators, the demo's "drop connection" button and
   * tests. Returns how many were dropped.
   */
  drop(filter?: { id?: string; name?: string; addr?: string }): number;
  /**
   * Closes every socket with 1001, then stops listening (if it listens
   * itself). Resolves within `shutdownGrace`, whatever hangs.
   */
  close(): Promise<void>;
}

/**
 * Starts a relay: on a port of its own (`port`), or on your HTTP server
 * (`server`, optionally on one `path`). Resolves once it is listening.
 */
export async function createRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const resolved = resolveOptions(options);
  const logger = createLogger(options.logger);
  // Who gets in (origin, token) is decided before the relay sees a socket.
  const admission = new AdmissionControl(resolved, logger);
  const start = async (): Promise<Relay> => new Relay(resolved, logger, await openCoordinator(resolved, logger));
  let relay = await start();
  let restarting: Promise<void> | undefined;
  const owned = resolved.server === undefined;
  const httpServer = resolved.server ?? createServer();
  const bundle = clientBundleHandler();
  const files = resolved.static ? staticHandler(resolved.static) : undefined;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!relay.handles(request)) {
      if (owned) socket.destroy();
    } else if (restarting) {
      // Down for the restart, as a real one would be.
      socket.on('error', () => {});
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else {
      // `relay` is read when admission is decided: a restart may have replaced it meanwhile.
      admission.admit(request, socket, (decision) => relay.handleUpgrade(request, socket, head, decision));
    }
  };

  const restart = (downtime: number): Promise<void> =>
    (restarting ??= (async () => {
      logger.info({ event: 'restart', downtime }, 'relay restarting (demo control)');
      await relay.close();
      await new Promise((resolve) => setTimeout(resolve, downtime));
      relay = await start();
      logger.info({ event: 'restarted', epoch: relay.log.epoch }, 'relay restarted');
    })().finally(() => {
      restarting = undefined;
    }));

  // Only the demo page asks for these (--demo); production relays never load them.
  const demo = resolved.demoControls ? await import('./demo.js') : undefined;
  const demoControl = demo?.demoControls({ drop: (filter) => relay.drop(filter), restart });
  const demoPage = demo && resolved.static?.root !== undefined ? demo.demoPages(resolved.static.root) : undefined;
  httpServer.on('upgrade', onUpgrade);

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const path = pathOf(request);
    if (demoControl?.(path, request, response) || demoPage?.(path, request, response)) return;
    if (path === '/healthz' || path === '/readyz') {
      // healthz: the process serves (a load balancer keeps it). readyz: it can
      // also route (a cluster node that lost Redis is not ready for new clients).
      const health = relay.coordinator.health();
      const ready = relay.coordinator.available;
      response.writeHead(path === '/readyz' && !ready ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(
        JSON.stringify({
          status: ready ? 'ok' : 'degraded',
          connections: relay.connectionCount,
          online: relay.presence.count,
          local: relay.presence.localCount,
          epoch: relay.log.epoch,
          ...health,
        }),
      );
      return;
    }
    // A plain request where clients connect is told to upgrade; anything else is not here.
    const fallback = () => {
      if (path === (resolved.path ?? '/')) {
        response.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
        response.end('Message Center relay: connect with a WebSocket.\n');
      } else {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Not found.\n');
      }
    };
    bundle(request, response, () => (files ? files(request, response, fallback) : fallback()));
  };
  if (owned) httpServer.on('request', onRequest);

  if (owned) {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(resolved.port, resolved.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  }
  const address = () => httpServer.address() as AddressInfo | null;
  const listening = address();
  logger.info(
    { event: 'listening', port: listening?.port, host: resolved.host ?? 'all', path: resolved.path ?? '*', epoch: relay.log.epoch },
    'relay listening',
  );

  let closed: Promise<void> | undefined;
  return {
    get port() {
      return address()?.port;
    },
    get url() {
      return `ws://127.0.0.1:${address()?.port ?? 0}${resolved.path ?? '/'}`;
    },
    httpServer,
    get epoch() {
      return relay.log.epoch;
    },
    get connections() {
      return relay.connectionCount;
    },
    get online() {
      return relay.presence.count;
    },
    drop(filter) {
      return relay.drop(filter);
    },
    close() {
      closed ??= settleWithin(resolved.shutdownGrace, async () => {
        await restarting;
        await relay.close(Math.min(CLOSING_HANDSHAKE_MS, resolved.shutdownGrace / 2));
        httpServer.off('upgrade', onUpgrade);
        if (owned) {
          httpServer.off('request', onRequest);
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeAllConnections();
          });
        }
        logger.info({ event: 'closed' }, 'relay closed');
      }).then((inTime) => {
        if (inTime) return;
        // Whatever still hangs (Redis, the disk) is let go.
        if (owned) httpServer.closeAllConnections();
        logger.warn({ event: 'closed', grace: resolved.shutdownGrace }, 'relay closed: the grace period ran out first');
      });
      return closed;
    },
  };
}

/** Runs `work`; true when it is done, false once `ms` have passed without it (it is then no longer waited for). */
function settleWithin(ms: number, work: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  return Promise.race([work().then(() => true), late]).finally(() => clearTimeout(timer));
}
