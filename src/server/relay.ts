import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import * as v from 'valibot';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeClientFrame, parseObject } from '../protocol/codec.js';
import { CloseCode, CloseReason, ErrorCode, PROTOCOL_VERSION, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { ErrorFrame, HelloFrame, Peer, SendFrame, ServerFrame, Target } from '../protocol/frames.js';
import {
  LEGACY_LOGIN,
  LEGACY_LOGOUT,
  LegacyInFrameSchema,
  normalizeLegacyTargets,
  type LegacyOutFrame,
} from '../protocol/legacy.js';
import { clientAddress, compileTrust } from './address.js';
import { Connection, WriteCoalescer, type Dialect } from './connection.js';
import { MemoryLog, type LogEntry } from './log/memory-log.js';
import { cleanName } from './names.js';
import type { ResolvedOptions } from './options.js';
import { Presence } from './presence.js';
import { textFrame } from './ws-frame.js';

const newId = (): string => randomBytes(9).toString('base64url');
const newSession = (): string => randomBytes(18).toString('base64url');

/** Shared by every upgrading socket: a closure per socket would keep its upgrade request alive as long as the socket. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

interface Outgoing {
  readonly id: string;
  readonly to: Target | undefined;
  readonly data: unknown;
}

/**
 * The relay's core: connection lifecycle, the v1 and legacy dialects,
 * addressing, presence and limits. Transport-agnostic about where upgrades
 * come from (a port of its own or someone else's HTTP server).
 */
export class Relay {
  readonly presence = new Presence();
  readonly log: MemoryLog;
  private readonly wss: WebSocketServer;
  private readonly coalescer = new WriteCoalescer();
  private readonly trust: ReturnType<typeof compileTrust>;
  /** Every accepted socket's connection, by socket: one set of listeners serves every socket. */
  private readonly all = new Map<WebSocket, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing = false;
  /**
   * The socket listeners, shared by every socket (`this` is the socket):
   * closures made per connection would be a good part of what an idle
   * connection costs.
   */
  private readonly socketListeners = ((relay: Relay) => ({
    message(this: WebSocket, data: RawData, isBinary: boolean): void {
      const connection = relay.all.get(this);
      if (connection) relay.onFrame(connection, data, isBinary);
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

  constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
  ) {
    this.trust = compileTrust(options.trustProxy);
    this.log = new MemoryLog({ maxEntries: 10_000, maxAge: 60 * 60 * 1000 });
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

  handleUpgrade(request: IncomingMessage, raw: Duplex, head: Buffer): void {
    raw.on('error', destroyOnError);
    if (this.closing) {
      raw.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, raw, head, (socket) => this.accept(socket, request, raw));
  }

  private accept(socket: WebSocket, request: IncomingMessage, raw: Duplex): void {
    // ws has its own error listener on the socket now.
    raw.off('error', destroyOnError);
    socket.on('error', this.socketListeners.error);
    const addr = clientAddress(request, this.trust);
    const dialect: Dialect = socket.protocol === SUBPROTOCOL_V1 ? 'v1' : 'legacy';
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
      name: dialect === 'legacy' ? cleanName(query.get('userName') ?? query.get('name')) : '',
      addr,
      dialect,
      rate: this.options.maxMessagesPerSecond,
      burst: this.options.burst,
    });
    this.all.set(socket, connection);
    this.perAddress.set(addr, fromAddress + 1);
    socket.on('pong', this.socketListeners.pong);
    socket.on('message', this.socketListeners.message);
    socket.on('close', this.socketListeners.close);
    this.logger.info({ event: 'connect', id: connection.id, addr, dialect }, 'connect');

    if (dialect === 'legacy') {
      this.join(connection);
    } else {
      connection.helloTimer = setTimeout(() => {
        if (!connection.ready) socket.close(CloseCode.HelloTimeout, CloseReason.HelloTimeout);
      }, this.options.helloTimeout);
      connection.helloTimer.unref();
    }
  }

  private onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.closed) return;
    connection.alive = true;
    const bytes = data as Buffer;
    const wait = connection.bucket.take();
    if (wait > 0) {
      this.reject(connection, ErrorCode.RateLimited, `more than ${this.options.maxMessagesPerSecond} messages per second`, {
        retryAfter: wait,
        id: sniffId(bytes),
      });
      return;
    }
    if (isBinary) {
      this.reject(connection, ErrorCode.BadFrame, 'binary frames are not part of the protocol; send JSON text');
      return;
    }
    if (bytes.length > this.options.maxFrameBytes) {
      this.reject(connection, ErrorCode.TooLarge, `frame of ${bytes.length} bytes exceeds maxFrameBytes (${this.options.maxFrameBytes})`, {
        id: sniffId(bytes),
      });
      return;
    }
    const text = bytes.toString('utf8');
    try {
      if (connection.dialect === 'legacy') this.onLegacyFrame(connection, text);
      else this.onV1Frame(connection, text);
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'frame handler failed');
      this.reject(connection, ErrorCode.Internal, 'the server could not handle this frame');
    }
  }

  // ── v1 ──────────────────────────────────────────────────────────────────

  private onV1Frame(connection: Connection, text: string): void {
    const decoded = decodeClientFrame(text);
    if (!decoded.ok) {
      this.reject(connection, decoded.code, decoded.message, { id: decoded.id });
      return;
    }
    const { frame } = decoded;
    switch (frame.type) {
      case 'ping':
        this.sendFrame(connection, { type: 'pong', ...(frame.t !== undefined ? { t: frame.t } : {}) });
        return;
      case 'hello':
        if (connection.ready) {
          this.reject(connection, ErrorCode.AlreadyHello, 'hello was already received on this connection');
          return;
        }
        this.hello(connection, frame);
        return;
      case 'send':
        if (!connection.ready) {
          this.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id: frame.id });
          return;
        }
        this.send(connection, frame);
        return;
      case 'received':
        if (!connection.ready) this.reject(connection, ErrorCode.HelloRequired, 'send hello first');
        return;
    }
  }

  private hello(connection: Connection, frame: HelloFrame): void {
    clearTimeout(connection.helloTimer);
    connection.helloTimer = undefined;
    connection.name = cleanName(frame.name) || `guest-${connection.id.slice(0, 4)}`;
    connection.session = newSession();
    this.join(connection);
  }

  private send(connection: Connection, frame: SendFrame): void {
    const result = this.route(connection, { id: frame.id, to: frame.to, data: frame.data });
    if (!result) return;
    this.sendFrame(connection, {
      type: 'ack',
      id: frame.id,
      offset: result.entry.offset,
      ts: result.entry.ts,
      recipients: result.recipients,
    });
  }

  // ── legacy ──────────────────────────────────────────────────────────────

  private onLegacyFrame(connection: Connection, text: string): void {
    const parsed = parseObject(text);
    if (!parsed.ok) {
      this.rejectLegacy(connection, ErrorCode.BadFrame, parsed.message);
      return;
    }
    const result = v.safeParse(LegacyInFrameSchema, parsed.value);
    if (!result.success) {
      const issue = result.issues[0]!;
      this.rejectLegacy(connection, ErrorCode.BadField, `${v.getDotPath(issue) ?? 'frame'}: ${issue.message}`);
      return;
    }
    const frame = result.output;
    const name = cleanName(frame.userName);
    if (name) this.presence.rename(connection, name);
    const addrs = normalizeLegacyTargets(frame.ip);
    this.route(connection, {
      id: `legacy-${newId()}`,
      to: addrs.length > 0 ? { addrs } : undefined,
      data: frame.data ?? null,
    });
  }

  // ── routing ─────────────────────────────────────────────────────────────

  /**
   * Resolves the targets, logs the message and delivers it. v1 senders are
   * refused when any target is unknown (nothing is sent); legacy senders, as
   * with the original server, reach whoever matches.
   */
  private route(sender: Connection, message: Outgoing): { entry: LogEntry; recipients: number } | undefined {
    let recipients: Iterable<Connection>;
    let recipientIds: string[] | undefined;
    if (message.to) {
      const resolution = this.presence.resolve(message.to);
      if (resolution.unknown && sender.dialect === 'v1') {
        this.reject(sender, ErrorCode.UnknownTarget, 'no one online matches these targets; the message was not sent', {
          id: message.id,
          targets: resolution.unknown,
        });
        return undefined;
      }
      recipients = resolution.recipients;
      recipientIds = [...resolution.recipients].map((connection) => connection.id);
    } else {
      recipients = this.presence.connections();
    }
    const entry = this.log.append({
      id: message.id,
      from: sender.peer,
      ...(message.to ? { to: message.to } : {}),
      ...(recipientIds ? { recipients: recipientIds } : {}),
      data: message.data,
      ts: Date.now(),
    });
    // v1 senders have their message already; legacy clients expect the echo
    // the original server sent to everyone (itself included).
    const skip = sender.dialect === 'v1' ? sender : undefined;
    const delivered = this.deliver(entry, recipients, skip);
    return { entry, recipients: delivered };
  }

  /** Sends one logged message to each recipient, encoding it once per dialect. */
  private deliver(entry: LogEntry, recipients: Iterable<Connection>, skip: Connection | undefined): number {
    let v1: Buffer | undefined;
    let legacy: Buffer | undefined;
    let count = 0;
    // Collected first: a slow consumer cut off mid-loop changes the presence map.
    for (const connection of [...recipients]) {
      if (connection === skip || !connection.ready) continue;
      let payload: Buffer;
      if (connection.dialect === 'v1') {
        payload = v1 ??= textFrame(
          JSON.stringify({
            type: 'message',
            offset: entry.offset,
            id: entry.id,
            from: entry.from,
            ...(entry.to ? { to: entry.to } : {}),
            data: entry.data,
            ts: entry.ts,
          } satisfies ServerFrame),
        );
      } else {
        payload = legacy ??= textFrame(JSON.stringify(this.legacyFrame(entry.from, entry.data)));
      }
      if (this.write(connection, payload)) count++;
    }
    return count;
  }

  private legacyFrame(from: Peer, data: unknown): LegacyOutFrame {
    return { count: this.presence.count, currUserIp: from.addr, currUserName: from.name, data };
  }

  // ── presence ────────────────────────────────────────────────────────────

  private join(connection: Connection): void {
    connection.ready = true;
    this.presence.add(connection);
    if (connection.dialect === 'v1') {
      this.sendFrame(connection, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        self: connection.peer,
        session: connection.session,
        epoch: this.log.epoch,
        offset: this.log.head,
        roster: this.presence.roster(),
        count: this.presence.count,
        limits: {
          maxFrameBytes: this.options.maxFrameBytes,
          maxMessagesPerSecond: this.options.maxMessagesPerSecond,
          burst: this.options.burst,
          heartbeatInterval: this.options.heartbeatInterval,
        },
        resumed: false,
      });
    }
    this.announce('join', connection);
  }

  private announce(kind: 'join' | 'leave', subject: Connection): void {
    let v1: Buffer | undefined;
    let legacy: Buffer | undefined;
    for (const connection of [...this.presence.connections()]) {
      if (connection.dialect === 'v1') {
        if (connection === subject) continue; // it has its welcome
        v1 ??= textFrame(JSON.stringify({ type: kind, peer: subject.peer, count: this.presence.count } satisfies ServerFrame));
        this.write(connection, v1);
      } else {
        legacy ??= textFrame(
          JSON.stringify(this.legacyFrame(subject.peer, kind === 'join' ? LEGACY_LOGIN : LEGACY_LOGOUT)),
        );
        this.write(connection, legacy);
      }
    }
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    if (connection.closed) return;
    connection.closed = true;
    clearTimeout(connection.helloTimer);
    this.all.delete(connection.socket);
    const fromAddress = (this.perAddress.get(connection.addr) ?? 1) - 1;
    if (fromAddress > 0) this.perAddress.set(connection.addr, fromAddress);
    else this.perAddress.delete(connection.addr);
    if (connection.ready && this.presence.remove(connection)) this.announce('leave', connection);
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

  // ── output ──────────────────────────────────────────────────────────────

  /** Writes, unless the client already has too much unread: then it is cut off. */
  private write(connection: Connection, frame: Buffer): boolean {
    if (connection.closed) return false;
    if (connection.backlog > this.options.maxBufferedBytes) {
      this.cutOff(connection);
      return false;
    }
    connection.write(frame, this.coalescer);
    return true;
  }

  private cutOff(connection: Connection): void {
    this.logger.warn(
      { id: connection.id, addr: connection.addr, backlog: connection.backlog, limit: this.options.maxBufferedBytes },
      'slow consumer cut off',
    );
    // A close handshake cannot get through a full buffer: drop the socket.
    connection.socket.terminate();
  }

  private sendFrame(connection: Connection, frame: ServerFrame): void {
    this.write(connection, textFrame(JSON.stringify(frame)));
  }

  private reject(
    connection: Connection,
    code: ErrorFrame['code'],
    message: string,
    extra: { id?: string | undefined; targets?: Target; retryAfter?: number } = {},
  ): void {
    if (this.countRejection(connection)) return;
    if (connection.dialect === 'legacy') {
      this.rejectLegacy(connection, code, message);
      return;
    }
    this.sendFrame(connection, {
      type: 'error',
      code,
      message,
      ...(extra.id !== undefined ? { id: extra.id } : {}),
      ...(extra.targets ? { targets: extra.targets } : {}),
      ...(extra.retryAfter !== undefined ? { retryAfter: extra.retryAfter } : {}),
    });
  }

  /** The old format has no error frame; errors arrive as a message from no one, with `data.error`. */
  private rejectLegacy(connection: Connection, code: string, message: string): void {
    this.write(
      connection,
      textFrame(JSON.stringify({ count: this.presence.count, currUserIp: '', currUserName: '', data: { error: code, message } })),
    );
  }

  /** Counts a rejected frame; true when the connection was closed for flooding. */
  private countRejection(connection: Connection): boolean {
    const second = Math.floor(Date.now() / 1000);
    if (connection.rejectedWindow !== second) {
      connection.rejectedWindow = second;
      connection.rejected = 0;
    }
    connection.rejected += 1;
    if (connection.rejected > this.options.floodThreshold) {
      if (connection.rejected === this.options.floodThreshold + 1) {
        this.logger.warn({ id: connection.id, addr: connection.addr }, 'closed for flooding');
        connection.socket.close(CloseCode.PolicyViolation, CloseReason.Flood);
      }
      return true;
    }
    return false;
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  /** ws-level ping; a peer that did not answer the previous one is dead and dropped. */
  private sweep(): void {
    for (const connection of this.all.values()) {
      if (!connection.alive) {
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
        connection.socket.close(CloseCode.GoingAway, CloseReason.Shutdown);
      }
    });
    this.wss.close();
  }
}

/** The `"id"` of a frame we will not parse (too big, rate limited), if it is near the start. */
function sniffId(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 256).toString('utf8');
  const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(head);
  return match?.[1];
}
