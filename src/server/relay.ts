import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, CloseReason, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { Peer } from '../protocol/frames.js';
import { clientAddress, compileTrust } from './address.js';
import { DEFAULT_AUTH_TIMEOUT } from './auth.js';
import type { Admission } from './admission.js';
import type { Coordinator } from './cluster/coordinator.js';
import { Connection } from './connection.js';
import { dialectOf } from './dialect.js';
import { newId } from './ids.js';
import type { MessageLog } from './log/message-log.js';
import type { ResolvedOptions } from './options.js';
import { Presence } from './presence.js';
import { Commands } from './relay/commands.js';
import { Delivery } from './relay/delivery.js';
import { Greeter } from './relay/greeter.js';
import { History } from './relay/history.js';
import { Intake } from './relay/intake.js';
import { Output } from './relay/output.js';
import { PresenceNotices } from './relay/presence-notices.js';
import { Receipts } from './relay/receipts.js';
import { Rooms } from './relay/rooms.js';
import { Signals } from './relay/signals.js';
import { TypingRelay } from './relay/typing.js';
import { Router } from './relay/router.js';
import { destroyOnError } from './socket-errors.js';
import type { Sessions } from './sessions.js';

/**
 * The relay's core: the lifecycle of its connections (accepted within the
 * limits, kept alive by the heartbeat, closed), wired to the parts in
 * relay/: frames coming in (Intake), what they ask for (Commands), hello and
 * resume (Greeter), routing (Router), fan-out (Delivery), who is online
 * (PresenceNotices) and what goes out (Output). Transport-agnostic about
 * where upgrades come from (a port of its own or someone else's HTTP server).
 */
export class Relay {
  readonly presence = new Presence();
  private readonly wss: WebSocketServer;
  private readonly trust: ReturnType<typeof compileTrust>;
  /** Every accepted socket's connection, by socket: one set of listeners serves every socket. */
  private readonly all = new Map<WebSocket, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribeLog: () => void;
  private closing = false;
  /**
   * The socket listeners, shared by every socket (`this` is the socket):
   * closures made per connection would be a good part of what an idle
   * connection costs.
   */
  private readonly socketListeners = ((relay: Relay) => ({
    message(this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = relay.all.get(this);
      if (connection) relay.intake.receive(connection, data, isBinary);
    },
    close(this: WebSocket, code: number, reason: Buffer): void {
      const connection = relay.all.get(this);
      if (connection) relay.onClose(connection, code, reason.toString());
    },
    pong(this: WebSocket): void {
      const connection = relay.all.get(this);
      if (connection) connection.alive = true;
    },
    error(this: WebSocket, error: Error): void {
      relay.logger.debug({ err: error }, 'socket error');
    },
  }))(this);

  /** Every routed message, with its offset; deliveries happen as entries come out of it (from every node, in a cluster). */
  readonly log: MessageLog;
  private readonly sessions: Sessions;
  private readonly output: Output;
  private readonly notices: PresenceNotices;
  private readonly intake: Intake;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
    /** What this relay shares with the rest of its cluster (or keeps to itself). */
    readonly coordinator: Coordinator,
  ) {
    this.trust = compileTrust(options.trustProxy);
    this.log = coordinator.log;
    this.sessions = coordinator.sessions;
    /**
     * A peer as other clients see it: without its address while addresses are
     * hidden. One copy per peer (peers are not changed once made), not one per
     * roster it appears in: a welcome lists everyone, so a copy per mention
     * made every arrival's garbage grow with the number online.
     */
    const hidden = new WeakMap<Peer, Peer>();
    const exposed = options.exposeAddresses
      ? (peer: Peer) => peer
      : (peer: Peer) => {
          let copy = hidden.get(peer);
          if (!copy) hidden.set(peer, (copy = { ...peer, addr: '' }));
          return copy;
        };
    this.output = new Output(options, logger, this.presence);
    const signals = new Signals(coordinator, this.presence, this.output);
    const receipts = new Receipts(this.presence, signals, this.output, coordinator.reads, logger, options, exposed, () => this.log.head);
    const delivery = new Delivery(this.presence, this.sessions, this.output, exposed, signals, receipts);
    this.notices = new PresenceNotices(this.presence, coordinator, this.log, this.output, options, exposed);
    const router = new Router(coordinator, this.log, this.presence, this.sessions, this.output, logger, options.exposeAddresses);
    const resumeReading = (connection: Connection) => this.intake.drain(connection);
    const rooms = new Rooms(
      this.presence,
      this.notices,
      this.sessions,
      this.output,
      logger,
      { authorize: options.authorize, authorizeTimeout: options.auth.authTimeout ?? DEFAULT_AUTH_TIMEOUT },
      exposed,
      resumeReading,
    );
    const greeter = new Greeter(this.log, this.sessions, coordinator, this.notices, rooms, delivery, this.output, logger, resumeReading);
    const history = new History(this.log, delivery, this.output, logger, options);
    const typing = new TypingRelay(this.presence, this.output, signals, options, exposed);
    const commands = new Commands(this.presence, greeter, router, delivery, this.output, rooms, history, signals, typing, receipts);
    this.intake = new Intake(options, this.output, logger, (connection, command, size) => commands.handle(connection, command, size));
    this.unsubscribeLog = this.log.subscribe((entry) => delivery.deliver(entry));
    coordinator.onPresence((event) => this.notices.onEvent(event));
    coordinator.onReset(() => this.reset());
    this.wss = new WebSocketServer({
      noServer: true,
      // Frames up to 4× the limit are read and answered with too_large;
      // beyond that ws closes the socket with 1009 rather than buffer them.
      maxPayload: options.maxFrameBytes * 4,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL_V1) ? SUBPROTOCOL_V1 : false),
    });
    this.heartbeat = setInterval(() => this.sweep(), options.heartbeatInterval);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.all.size;
  }

  /** True if this relay handles WebSocket upgrades for the request's path. */
  handles(request: IncomingMessage): boolean {
    if (this.options.path === undefined) return true;
    const path = (request.url ?? '/').split('?', 1)[0];
    return path === this.options.path;
  }

  /** `admission`: what admission control decided (a refusal, or the identity a token proved). */
  handleUpgrade(request: IncomingMessage, raw: Duplex, head: Buffer, admission: Admission = {}): void {
    raw.on('error', destroyOnError);
    if (this.closing) {
      raw.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, raw, head, (socket) => this.accept(socket, request, raw, admission));
  }

  private accept(socket: WebSocket, request: IncomingMessage, raw: Duplex, admission: Admission): void {
    // ws has its own error listener on the socket now.
    raw.off('error', destroyOnError);
    socket.on('error', this.socketListeners.error);
    const addr = clientAddress(request, this.trust);
    const codec = dialectOf(socket.protocol);
    if ('refuse' in admission) {
      // Closed before a frame is read: a browser sees the code, which an HTTP refusal would hide from it.
      this.logger.warn({ addr, reason: admission.refuse.reason, detail: admission.refuse.detail }, 'refused at admission');
      socket.close(admission.refuse.code, admission.refuse.reason);
      return;
    }
    const identity = admission.identity;
    if (this.all.size >= this.options.maxConnections) {
      this.logger.warn({ addr, limit: this.options.maxConnections }, 'refused: server full');
      socket.close(CloseCode.TryAgainLater, CloseReason.ServerFull);
      return;
    }
    const fromAddress = this.perAddress.get(addr) ?? 0;
    if (fromAddress >= this.options.maxConnectionsPerAddress) {
      this.logger.warn({ addr, limit: this.options.maxConnectionsPerAddress }, 'refused: too many connections from address');
      socket.close(CloseCode.PolicyViolation, CloseReason.TooManyConnections);
      return;
    }
    const query = new URL(request.url ?? '/', 'http://relay.invalid').searchParams;
    const connection = new Connection(socket, raw, {
      id: newId(),
      name: codec.nameOnConnect(query, identity),
      addr,
      dialect: codec.name,
      rate: this.options.maxMessagesPerSecond,
      burst: this.options.burst,
    });
    connection.identity = identity;
    this.all.set(socket, connection);
    this.perAddress.set(addr, fromAddress + 1);
    socket.on('pong', this.socketListeners.pong);
    socket.on('message', this.socketListeners.message);
    socket.on('close', this.socketListeners.close);
    this.logger.info({ event: 'connect', id: connection.id, addr, dialect: codec.name, ...(identity ? { user: identity.userId } : {}) }, 'connect');

    if (!codec.greets) {
      this.notices.join(connection);
    } else {
      connection.helloTimer = setTimeout(() => {
        if (connection.state === 'awaiting-hello') connection.end(CloseCode.HelloTimeout, CloseReason.HelloTimeout);
      }, this.options.helloTimeout);
      connection.helloTimer.unref();
    }
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    const wasOnline = connection.state === 'online';
    if (!connection.setState('closed')) return;
    clearTimeout(connection.helloTimer);
    clearTimeout(connection.inboxTimer);
    connection.inbox = undefined;
    this.all.delete(connection.socket);
    const fromAddress = (this.perAddress.get(connection.addr) ?? 1) - 1;
    if (fromAddress > 0) this.perAddress.set(connection.addr, fromAddress);
    else this.perAddress.delete(connection.addr);
    const session = connection.session;
    if (session && !connection.replaced) this.sessions.depart(session);
    if (wasOnline && !connection.replaced) this.notices.leave(connection);
    this.logger.info(
      {
        event: 'disconnect',
        id: connection.id,
        addr: connection.addr,
        dialect: connection.dialect,
        code,
        reason,
        seconds: Math.round((Date.now() - connection.connectedAt) / 1000),
      },
      'disconnect',
    );
  }

  /** The cluster's shared state is gone (Redis lost it): every client here starts over. */
  private reset(): void {
    this.presence.clearRemote();
    for (const connection of [...this.all.values()]) {
      connection.end(CloseCode.ServiceRestart, CloseReason.StateLost);
    }
  }

  /** ws-level ping; a peer that did not answer the previous one is dead and dropped. Expired sessions go too. */
  private sweep(): void {
    for (const session of this.sessions.sweep()) this.logger.debug({ id: session.peerId }, 'session expired');
    for (const connection of this.all.values()) {
      // A paused socket's pongs are not read yet: a client whose frames are waiting is alive.
      if (!connection.alive && !connection.inbox) {
        this.logger.info({ id: connection.id, addr: connection.addr }, 'no pong: dropping dead peer');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  drop(filter: { id?: string; name?: string; addr?: string } = {}): number {
    let dropped = 0;
    for (const connection of [...this.all.values()]) {
      if (filter.id !== undefined && connection.id !== filter.id) continue;
      if (filter.name !== undefined && connection.name !== filter.name) continue;
      if (filter.addr !== undefined && connection.addr !== filter.addr) continue;
      connection.socket.terminate();
      dropped++;
    }
    return dropped;
  }

  /** Closes every socket with 1001 so clients reconnect promptly (elsewhere, or here after a restart). */
  async close(timeout = 2000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.notices.close();
    this.unsubscribeLog();
    const open = [...this.all.values()];
    await new Promise<void>((resolve) => {
      if (open.length === 0) return resolve();
      let remaining = open.length;
      const timer = setTimeout(() => {
        for (const connection of open) connection.socket.terminate();
        resolve();
      }, timeout);
      timer.unref();
      for (const connection of open) {
        connection.socket.once('close', () => {
          if (--remaining === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        connection.end(CloseCode.GoingAway, CloseReason.Shutdown);
      }
    });
    this.wss.close();
    await this.coordinator.close();
  }
}
