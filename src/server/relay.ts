import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CloseCode, CloseReason, ErrorCode, PROTOCOL_VERSION, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { ErrorFrame, HelloFrame, MessageFrame, Peer, ReceivedFrame, SendFrame, ServerFrame, Target } from '../protocol/frames.js';
import { clientAddress, compileTrust } from './address.js';
import type { Admission } from './admission.js';
import { displayName } from './auth.js';
import { Connection, WriteCoalescer } from './connection.js';
import { dialectOf, type Outgoing, type ServerDialect } from './dialect.js';
import { newId } from './ids.js';
import type { AppendResult, LogEntry, MaybePromise, MessageLog } from './log/message-log.js';
import { cleanName } from './names.js';
import type { ResolvedOptions } from './options.js';
import { Presence, targetOf } from './presence.js';
import type { Coordinator, PresenceEvent } from './cluster/coordinator.js';
import type { Session, Sessions } from './sessions.js';
import { textFrame } from './ws-frame.js';

/** ms a client may have more than maxBufferedBytes unread before it counts as a slow consumer. */
const SLOW_CONSUMER_GRACE_MS = 2000;
/** Live messages held for a client while it is replayed to; more means it cannot keep up. */
const MAX_HELD = 10_000;
/**
 * Frames a connection may have waiting. Its socket is paused while any wait,
 * so only what the socket had already read comes in meanwhile: at most one
 * read (64 KiB), under 3,200 of the smallest valid frames. More is a client
 * sending empty frames by the thousand.
 */
const MAX_INBOX_FRAMES = 4096;
/** Replayed messages written between checks that the socket is draining. */
const REPLAY_BATCH = 256;
/** What `unavailable` tells a client to wait before sending the message again. */
const UNAVAILABLE_RETRY_MS = 1000;
/**
 * How long after refusing a send with `unavailable` the relay refuses the
 * same connection's other sends while that one does not come back. Sends
 * already on their way when the client learnt of the refusal arrive well
 * within it; a client that gives up on the refused message instead of
 * sending it again loses no more than this.
 */
const ORDER_HOLD_MS = 10_000;
/** A client from a lost epoch is replayed what was sent in the first this-many ms of the new one. */
const LOST_EPOCH_REPLAY_MS = 30_000;

/** Shared by every upgrading socket: a closure per socket would keep its upgrade request alive as long as the socket. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

interface RouteResult {
  readonly entry: LogEntry;
  readonly recipients: number;
  readonly duplicate: boolean;
}

/** Continues with `value` now when it is one, or when the promise settles. */
function settle<T>(value: MaybePromise<T>, next: (value: T) => void, failed: (error: unknown) => void): void {
  if (value instanceof Promise) value.then(next, failed);
  else next(value);
}

/**
 * The relay's core: connection lifecycle, the v1 and legacy dialects,
 * addressing, presence and limits. Transport-agnostic about where upgrades
 * come from (a port of its own or someone else's HTTP server).
 */
export class Relay {
  readonly presence = new Presence();
  private readonly wss: WebSocketServer;
  private readonly coalescer = new WriteCoalescer();
  private readonly trust: ReturnType<typeof compileTrust>;
  /** Every accepted socket's connection, by socket: one set of listeners serves every socket. */
  private readonly all = new Map<WebSocket, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribeLog: () => void;
  /** Connections between a resuming hello and their welcome: live messages for them are held. */
  private readonly resuming = new Set<Connection>();
  private readonly startedAt = Date.now();
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

  /** Every routed message, with its offset; deliveries happen as entries come out of it (from every node, in a cluster). */
  readonly log: MessageLog;
  private readonly sessions: Sessions;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
    /** What this relay shares with the rest of its cluster (or keeps to itself). */
    readonly coordinator: Coordinator,
  ) {
    this.trust = compileTrust(options.trustProxy);
    this.log = coordinator.log;
    this.sessions = coordinator.sessions;
    this.unsubscribeLog = this.log.subscribe((entry) => this.deliver(entry));
    coordinator.onPresence((event) => this.onPresence(event));
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

  /** `admission`: what the gate decided (a refusal, or the identity a token proved). */
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
      this.join(connection);
    } else {
      connection.helloTimer = setTimeout(() => {
        if (connection.state === 'awaiting-hello') this.end(connection, CloseCode.HelloTimeout, CloseReason.HelloTimeout);
      }, this.options.helloTimeout);
      connection.helloTimer.unref();
    }
  }

  private onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.closed || connection.replaced) return;
    connection.alive = true;
    if (connection.inbox) {
      // Read before the pause took effect (the rest of a chunk the socket had read): it waits its turn.
      if (connection.inbox.length >= MAX_INBOX_FRAMES) {
        this.end(connection, CloseCode.PolicyViolation, CloseReason.Flood);
        return;
      }
      connection.inbox.push({ data, isBinary });
      return;
    }
    const wait = connection.bucket.take();
    if (wait > 0) {
      this.waitForToken(connection, { data, isBinary }, wait);
      return;
    }
    this.handleFrame(connection, data, isBinary);
  }

  /**
   * Makes a frame wait, and every frame after it: the socket is paused, so
   * what the client sends meanwhile stays in its buffers and the network's,
   * and the relay handles its frames later, in the order sent. This is how a
   * rate limit keeps each sender's order: nothing is refused for going too
   * fast, so nothing has to be sent again behind later messages.
   */
  private waitForToken(connection: Connection, frame: { data: RawData; isBinary: boolean }, wait: number): void {
    connection.inbox = [frame];
    connection.socket.pause();
    this.wakeInbox(connection, wait);
  }

  private wakeInbox(connection: Connection, wait: number): void {
    connection.inboxTimer = setTimeout(() => this.drainInbox(connection), wait);
    connection.inboxTimer.unref();
  }

  /**
   * Handles waiting frames while tokens last; reads from the socket again
   * once none is left. Stops while a resuming client waits for its welcome
   * (a hello among them may start that).
   */
  private drainInbox(connection: Connection): void {
    clearTimeout(connection.inboxTimer);
    connection.inboxTimer = undefined;
    const inbox = connection.inbox;
    if (!inbox || connection.closed || connection.replaced) return;
    while (inbox.length > 0 && !connection.held) {
      const wait = connection.bucket.take();
      if (wait > 0) {
        this.wakeInbox(connection, wait);
        return;
      }
      const frame = inbox.shift()!;
      this.handleFrame(connection, frame.data, frame.isBinary);
      if (connection.closed || connection.replaced || connection.inbox !== inbox) return;
    }
    if (inbox.length > 0 || connection.held) return;
    connection.inbox = undefined;
    connection.socket.resume();
  }

  /** Steps 4 to 7 of PROTOCOL.md §2.4, for a frame that has its token. */
  private handleFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    const bytes = data as Buffer;
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
      this.onText(connection, text);
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'frame handler failed');
      this.reject(connection, ErrorCode.Internal, 'the server could not handle this frame');
    }
  }

  // ── frames ──────────────────────────────────────────────────────────────

  private onText(connection: Connection, text: string): void {
    const decoded = connection.codec.decode(text);
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
        if (connection.state !== 'awaiting-hello') {
          this.reject(connection, ErrorCode.AlreadyHello, 'hello was already received on this connection');
          return;
        }
        this.hello(connection, frame);
        return;
      case 'send':
        if (connection.state === 'awaiting-hello') {
          this.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id: frame.id });
          return;
        }
        this.send(connection, frame, text.length);
        return;
      case 'received':
        if (connection.state === 'awaiting-hello') this.reject(connection, ErrorCode.HelloRequired, 'send hello first');
        else this.received(connection, frame);
        return;
      case 'post':
        if (frame.name && !connection.identity) this.presence.rename(connection, frame.name);
        if (frame.message) this.route(connection, frame.message, text.length, () => undefined);
        return;
    }
  }

  /**
   * Starts a session, or takes one back: with a known resume token (and the
   * same epoch) the client gets its identity back and is replayed, in order,
   * everything addressed to it that it had not processed; otherwise it starts
   * afresh, and is told messages may be missing if it asked to resume.
   */
  private hello(connection: Connection, frame: HelloFrame): void {
    clearTimeout(connection.helloTimer);
    connection.helloTimer = undefined;
    connection.setState('welcoming');
    const resume = frame.resume;
    const found = resume && resume.epoch === this.log.epoch ? this.sessions.find(resume.session) : undefined;
    // With authentication a session is its user's: another user's token does not take it (nor its name).
    const session = found && found.user === connection.identity?.userId ? found : undefined;
    if (!session) {
      const asked = connection.identity ? displayName(connection.identity) : cleanName(frame.name);
      connection.name = asked || `guest-${connection.id.slice(0, 4)}`;
      // A client from an epoch this relay no longer has (it restarted and lost
      // its memory) was away when this epoch began: it is owed what others
      // sent in its first moments (their outboxes, flushed on their return).
      const fromLostEpoch = resume !== undefined && resume.epoch !== this.log.epoch;
      // Likewise a session of this epoch that a machine crash lost (it was
      // written after the last flush): its client was away when the relay
      // came back, and is owed what was sent since, as if it had resumed.
      const lost = resume !== undefined && !fromLostEpoch ? this.log.lostInCrash : undefined;
      const owedAfter = fromLostEpoch ? 0 : lost?.through;
      const created = this.sessions.create(connection.peer, owedAfter ?? this.log.head, connection.identity?.userId);
      connection.session = created.session;
      created.session.connection = connection;
      created.session.bucket = connection.bucket;
      if (resume) {
        this.logger.info({ id: connection.id, reason: fromLostEpoch ? 'epoch' : lost ? 'crash' : 'session' }, 'resume refused: new session');
      }
      if (owedAfter === undefined) {
        this.join(connection, created.token, { resumed: false, gap: resume !== undefined });
        return;
      }
      void this.replay(connection, created.session, created.token, owedAfter, true, {
        resumed: false,
        gap: true,
        until: this.startedAt + LOST_EPOCH_REPLAY_MS,
      }).catch((error: unknown) => this.replayFailed(connection, error));
      return;
    }
    const previous = session.connection as Connection | undefined;
    const elsewhere = session.awaySince === undefined && session.node !== undefined && session.node !== this.coordinator.nodeId;
    const announce = (previous === undefined && !elsewhere) || (previous !== undefined && previous.addr !== connection.addr);
    if (previous) this.letGo(previous);
    // Connected to another node: that node lets it go.
    if (elsewhere) this.coordinator.publish({ kind: 'takeover', peerId: session.peerId, node: this.coordinator.nodeId });
    connection.id = session.peerId;
    connection.name = session.name;
    connection.session = session;
    // Its hello was its own; from here on it spends what the session has left.
    connection.bucket = session.bucket ??= connection.bucket;
    this.sessions.arrive(session, connection, connection.addr);
    void this.replay(connection, session, resume!.session, resume!.offset, announce).catch((error: unknown) => this.replayFailed(connection, error));
  }

  /**
   * Welcomes a returning client and replays what it is owed, then lets it go
   * live with no gap and nothing twice: from the moment it asks until the
   * replay is written, live messages for it are held, and afterwards only
   * those past the replay are delivered. The replay waits for the socket to
   * drain as it goes, so a large one never piles up in memory.
   */
  private async replay(
    connection: Connection,
    session: Session,
    token: string,
    after: number,
    announce: boolean,
    welcome: { resumed: boolean; gap: boolean; until?: number } = { resumed: true, gap: false },
  ): Promise<void> {
    connection.held = [];
    // What the client sends meanwhile is handled after the welcome and the replay.
    if (!connection.inbox) {
      connection.inbox = [];
      connection.socket.pause();
    }
    this.resuming.add(connection);
    const asked = Math.max(after, session.joinedOffset);
    const since = Math.min(asked, this.log.head);
    let entries: LogEntry[] = [];
    let complete = true;
    try {
      // From what the client asked, not the head: an offset beyond the head is
      // one the log lost (and the log says so).
      ({ entries, complete } = await this.log.read(asked));
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'replay failed');
      complete = false;
    }
    this.resuming.delete(connection);
    if (connection.closed) return;
    this.join(connection, token, { resumed: welcome.resumed, gap: welcome.gap || !complete, offset: since }, announce);
    let last = since;
    let written = 0;
    for (const entry of entries) {
      if (welcome.until !== undefined && entry.ts > welcome.until) break;
      if (!this.isFor(entry, session.peerId)) continue;
      if (!this.write(connection, this.messageFrame(entry, connection.codec, true))) return;
      this.expectReceipt(entry, session);
      last = entry.offset;
      if (++written % REPLAY_BATCH === 0 && !(await this.drained(connection))) return;
    }
    // Live messages that arrived meanwhile, without those the replay already covered.
    const held = connection.held ?? [];
    connection.held = undefined;
    for (const entry of held) if (entry.offset > last) this.deliverLive(connection, entry);
    this.logger.info({ id: connection.id, replayed: written, gap: !complete }, 'resumed');
    // Then what the client sent meanwhile, in order.
    this.drainInbox(connection);
  }

  /** A replay that threw: that client is dropped (it resumes again), the relay goes on. */
  private replayFailed(connection: Connection, error: unknown): void {
    this.logger.error({ err: error, id: connection.id }, 'replay failed');
    connection.socket.terminate();
  }

  /**
   * Waits until the socket has taken the replay so far; cuts the client off
   * (and returns false) when it does not read it within a heartbeat interval.
   */
  private async drained(connection: Connection): Promise<boolean> {
    this.coalescer.flush();
    if (connection.socket.bufferedAmount <= this.options.maxBufferedBytes / 2) return true;
    const drained = await connection.drain(this.options.heartbeatInterval);
    if (!drained && !connection.closed) this.cutOff(connection);
    return drained && !connection.closed;
  }

  /** Whether `entry` is owed to the session with this peer id (never its own messages). */
  private isFor(entry: LogEntry, peerId: string): boolean {
    if (entry.from.id === peerId) return false;
    return entry.recipients === undefined || entry.recipients.includes(peerId);
  }

  /** `size`: the frame's length, which the log counts towards its byte bound (cheaper than serialising it again). */
  private send(connection: Connection, frame: SendFrame, size: number): void {
    this.route(connection, { id: frame.id, to: frame.to, data: frame.data }, size, (result) => {
      if (!result) return;
      this.sendFrame(connection, {
        type: 'ack',
        id: frame.id,
        offset: result.entry.offset,
        ts: result.entry.ts,
        recipients: result.recipients,
        ...(result.duplicate ? { duplicate: true } : {}),
      });
    });
  }

  /**
   * The client has processed everything up to `offset`: the senders of the
   * private messages among them learn they were delivered.
   */
  private received(connection: Connection, frame: ReceivedFrame): void {
    const session = connection.session;
    if (!session) return;
    const receipts = session.receipts;
    let done = 0;
    while (done < receipts.length && receipts[done]!.offset <= frame.offset) {
      const receipt = receipts[done++]!;
      const sender = this.presence.get(receipt.sender);
      if (sender) this.sendFrame(sender, { type: 'delivered', id: receipt.id, offset: receipt.offset, by: this.exposed(connection.peer) });
    }
    if (done > 0) receipts.splice(0, done);
  }

  // ── routing ─────────────────────────────────────────────────────────────

  /**
   * Resolves the targets and appends the message to the log, which hands it
   * to deliver(). Targets are whoever is online, and sessions that are away
   * (they get it on their return). v1 senders are refused when any target is
   * unknown (nothing is sent); legacy senders, as with the original server,
   * reach whoever matches. A message its sender already sent (same id, a
   * resend after a lost ack) is not routed again.
   */
  private route(sender: Connection, message: Outgoing, size: number | undefined, done: (result: RouteResult | undefined) => void): void {
    const unavailable = () => {
      this.refuseUnavailable(sender, message.id);
      done(undefined);
    };
    if (!this.coordinator.available || this.heldBack(sender, message.id)) return unavailable();
    // A resend (its ack was lost) is answered from the log, before its targets
    // are looked at again: they may have gone meanwhile.
    let found: MaybePromise<LogEntry | undefined>;
    try {
      found = this.log.find(sender.id, message.id);
    } catch {
      return unavailable();
    }
    settle(
      found,
      (previous) => {
        if (previous) return done({ entry: previous, recipients: 0, duplicate: true });
        let recipientIds: string[] | undefined;
        let live: number;
        if (message.to) {
          const resolution = this.resolveTargets(message.to);
          if (resolution.unknown && sender.codec.refusesUnknownTargets) {
            this.reject(sender, ErrorCode.UnknownTarget, 'no one online or away matches these targets; the message was not sent', {
              id: message.id,
              targets: resolution.unknown,
            });
            return done(undefined);
          }
          recipientIds = resolution.ids;
          live = resolution.online;
          if (!sender.codec.echoesOwn && recipientIds.includes(sender.id)) live--;
        } else {
          live = this.presence.count - (sender.codec.echoesOwn ? 0 : 1);
        }
        // Looked at again: an earlier send of this connection may have been refused while this one was looked up.
        if (this.heldBack(sender, message.id)) return unavailable();
        const failed = (error: unknown) => this.appendFailed(sender, message.id, error, done);
        let appended: MaybePromise<AppendResult>;
        try {
          appended = this.log.append(
            {
              id: message.id,
              from: sender.peer,
              ...(message.to ? { to: message.to } : {}),
              ...(recipientIds ? { recipients: recipientIds } : {}),
              data: message.data,
              ts: Date.now(),
            },
            size,
          );
        } catch (error) {
          return failed(error);
        }
        settle(appended, ({ entry, duplicate }) => done({ entry, recipients: duplicate ? 0 : Math.max(0, live), duplicate }), failed);
      },
      unavailable,
    );
  }

  private appendFailed(sender: Connection, id: string, error: unknown, done: (result: undefined) => void): void {
    this.logger.error({ err: error, id: sender.id }, 'could not log a message');
    if (this.coordinator.available) this.reject(sender, ErrorCode.Internal, 'the server could not store the message; it was not sent', { id });
    else this.refuseUnavailable(sender, id);
    done(undefined);
  }

  /**
   * The message was not routed, and its client will send it again. Until it
   * does, the connection's later sends are refused too (PROTOCOL.md §19.5):
   * one already on its way could otherwise be routed before it, the moment
   * the relay can route again.
   */
  private refuseUnavailable(sender: Connection, id: string): void {
    const now = Date.now();
    const hold = sender.orderHold;
    if (sender.codec.resendsRefused && (!hold || hold.id === id || hold.until <= now)) sender.orderHold = { id, until: now + ORDER_HOLD_MS };
    this.reject(sender, ErrorCode.Unavailable, 'the relay cannot route messages right now; send it again later', {
      id,
      retryAfter: UNAVAILABLE_RETRY_MS,
    });
  }

  /** Whether this send must wait for an earlier one refused with `unavailable`; the earlier one coming back ends the wait. */
  private heldBack(sender: Connection, id: string): boolean {
    const hold = sender.orderHold;
    if (!hold) return false;
    if (hold.id !== id && Date.now() < hold.until) return true;
    sender.orderHold = undefined;
    return false;
  }


  /**
   * Targets → peer ids: online connections, and sessions that are away (the
   * messages wait for them in the log); what matched no one at all.
   */
  /**
   * resolve(), except that while addresses are hidden no address matches
   * anyone: if addressing by one worked, its ack or error would tell who is there.
   */
  private resolveTargets(to: Target): { ids: string[]; online: number; unknown: Target | undefined } {
    if (this.options.exposeAddresses || !to.addrs?.length) return this.resolve(to);
    const { addrs, ...others } = to;
    const resolution = others.ids?.length || others.names?.length ? this.resolve(others) : { ids: [], online: 0, unknown: undefined };
    return { ...resolution, unknown: { ...resolution.unknown, addrs: [...addrs] } };
  }

  /** A peer as other clients see it: without its address while addresses are hidden. */
  private exposed(peer: Peer): Peer {
    return this.options.exposeAddresses ? peer : { ...peer, addr: '' };
  }

  private resolve(to: Target): { ids: string[]; online: number; unknown: Target | undefined } {
    const online = this.presence.resolve(to);
    const ids = new Set([...online.recipients].map((connection) => connection.id));
    for (const id of online.remote) ids.add(id);
    const count = ids.size;
    const unknownIds: string[] = [];
    const unknownNames: string[] = [];
    const unknownAddrs: string[] = [];
    for (const id of online.unknown?.ids ?? []) {
      const session = this.sessions.byPeerId(id);
      if (session) ids.add(session.peerId);
      else unknownIds.push(id);
    }
    for (const name of to.names ?? []) {
      const away = this.sessions.away({ name });
      for (const session of away) ids.add(session.peerId);
      if (away.length === 0 && online.unknown?.names?.includes(name)) unknownNames.push(name);
    }
    for (const addr of to.addrs ?? []) {
      const away = this.sessions.away({ addr });
      for (const session of away) ids.add(session.peerId);
      if (away.length === 0 && online.unknown?.addrs?.includes(addr)) unknownAddrs.push(addr);
    }
    return { ids: [...ids], online: count, unknown: targetOf(unknownIds, unknownNames, unknownAddrs) };
  }

  /**
   * Sends a logged message to each online recipient, encoded once per
   * dialect, and holds it for recipients that are being replayed to. v1
   * senders have their message already (they get an ack); legacy senders get
   * the echo the original server sent to everyone, itself included.
   */
  private deliver(entry: LogEntry): void {
    const targets = entry.recipients
      ? entry.recipients.map((id) => this.presence.get(id)).filter((c): c is Connection => c !== undefined)
      : [...this.presence.connections()];
    for (const connection of targets) this.deliverLive(connection, entry);
    for (const connection of this.resuming) {
      if (this.isFor(entry, connection.id)) connection.held?.push(entry);
    }
  }

  private deliverLive(connection: Connection, entry: LogEntry): void {
    if (connection.state !== 'online' || (!connection.codec.echoesOwn && connection.id === entry.from.id)) return;
    if (connection.held) {
      connection.held.push(entry);
      if (connection.held.length > MAX_HELD) this.cutOff(connection);
      return;
    }
    const written = this.write(connection, this.messageFrame(entry, connection.codec));
    if (written && entry.recipients && connection.session) this.expectReceipt(entry, connection.session);
  }

  /**
   * A private message from a v1 sender, written to a session's client: the
   * sender will be told once that client reports it has processed it.
   */
  private expectReceipt(entry: LogEntry, session: Session): void {
    if (!entry.recipients || entry.from.id === session.peerId || !this.sessions.byPeerId(entry.from.id)) return;
    const receipts = session.receipts;
    if (receipts.length > 0 && receipts[receipts.length - 1]!.offset >= entry.offset) return;
    receipts.push({ offset: entry.offset, id: entry.id, sender: entry.from.id });
    // Bounded: a client that never reports what it processed cannot grow
    // this. (Halved at once, so a full list costs nothing per message.)
    if (receipts.length > 1000) receipts.splice(0, 500);
  }

  // The frames of the newest entry, encoded once per dialect for all its recipients.
  private encoded: { entry: LogEntry; frames: Array<Buffer | undefined> } | undefined;

  private messageFrame(entry: LogEntry, codec: ServerDialect, replay = false): Buffer {
    if (replay) return textFrame(codec.encode({ ...this.messageBody(entry), replay: true }, this.presence.count)!);
    if (this.encoded?.entry !== entry) this.encoded = { entry, frames: [] };
    return (this.encoded.frames[codec.slot] ??= textFrame(codec.encode(this.messageBody(entry), this.presence.count)!));
  }

  private messageBody(entry: LogEntry): MessageFrame {
    return {
      type: 'message',
      offset: entry.offset,
      id: entry.id,
      from: this.exposed(entry.from),
      ...(entry.to ? { to: entry.to } : {}),
      data: entry.data,
      ts: entry.ts,
    };
  }

  // ── presence ────────────────────────────────────────────────────────────

  /**
   * Puts a connection online: the welcome (v1) and the join notices. The
   * welcome's `offset` is where the client's stream continues from: the log's
   * head for a new session, or where a replay starts.
   */
  private join(
    connection: Connection,
    token?: string,
    resume?: { resumed: boolean; gap: boolean; offset?: number },
    announce = true,
  ): void {
    connection.setState('online');
    this.presence.add(connection);
    if (connection.codec.greets) {
      this.sendFrame(connection, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        self: connection.peer,
        session: token ?? '',
        epoch: this.log.epoch,
        offset: resume?.offset ?? this.log.head,
        roster: this.presence.roster().map((peer) => (peer.id === connection.id ? peer : this.exposed(peer))),
        count: this.presence.count,
        limits: {
          maxFrameBytes: this.options.maxFrameBytes,
          maxMessagesPerSecond: this.options.maxMessagesPerSecond,
          burst: this.options.burst,
          heartbeatInterval: this.options.heartbeatInterval,
        },
        resumed: resume?.resumed ?? false,
        ...(resume?.gap ? { gap: true } : {}),
      });
    }
    // Every node (this one included) hears of it and tells its clients.
    this.coordinator.publish({ kind: 'join', peer: connection.peer, node: this.coordinator.nodeId, ...(announce ? {} : { quiet: true }) });
  }

  /**
   * A presence change somewhere in the cluster (here too), in log order:
   * peers of other nodes are added to or removed from the roster, and local
   * clients are told.
   */
  private onPresence(event: PresenceEvent): void {
    const here = event.node === this.coordinator.nodeId;
    if (event.kind === 'takeover') {
      if (here) return;
      const connection = this.presence.get(event.peerId);
      if (connection) this.letGo(connection);
      return;
    }
    if (event.kind === 'join') {
      if (here) {
        if (!event.quiet) this.announce('join', event.peer);
        return;
      }
      // A peer that moved here from another node is not new to anyone.
      if (this.presence.get(event.peer.id)) return;
      const fresh = this.presence.addRemote(event.peer, event.node);
      if (fresh && !event.quiet) this.announce('join', event.peer);
      return;
    }
    if (here) {
      this.announce('leave', event.peer);
      return;
    }
    if (this.presence.removeRemote(event.peer.id)) this.announce('leave', event.peer);
  }

  /** The old link of a session that came back on a new one: it goes quietly (no leave). */
  private letGo(previous: Connection): void {
    previous.replaced = true;
    this.end(previous, CloseCode.SessionTakenOver, CloseReason.SessionTakenOver);
    this.presence.remove(previous);
  }

  /**
   * Closes a connection. Frames it has waiting are dropped (its client sends
   * again what was not acknowledged), and its socket is read again, or the
   * client's answer to the close would never be read.
   */
  private end(connection: Connection, code: number, reason: string): void {
    clearTimeout(connection.inboxTimer);
    if (connection.inbox) {
      connection.inbox = undefined;
      connection.socket.resume();
    }
    connection.socket.close(code, reason);
  }

  /** The cluster's shared state is gone (Redis lost it): every client here starts over. */
  private reset(): void {
    this.presence.clearRemote();
    for (const connection of [...this.all.values()]) {
      this.end(connection, CloseCode.ServiceRestart, CloseReason.StateLost);
    }
  }

  private announce(kind: 'join' | 'leave', subject: Peer): void {
    let notice: ServerFrame | undefined;
    // Encoded once per dialect for everyone.
    const frames: Array<Buffer | undefined> = [];
    for (const connection of [...this.presence.connections()]) {
      const { codec } = connection;
      if (!codec.echoesOwn && connection.id === subject.id) continue; // it has its welcome
      notice ??= { type: kind, peer: this.exposed(subject), count: this.presence.count };
      const frame = (frames[codec.slot] ??= this.encode(codec, notice));
      if (frame) this.write(connection, frame);
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
    if (wasOnline && !connection.replaced && this.presence.remove(connection)) {
      this.coordinator.publish({ kind: 'leave', peer: connection.peer, node: this.coordinator.nodeId });
    }
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

  /**
   * Writes, unless the client has too much unread: more than maxBufferedBytes
   * for longer than a moment (a healthy client takes a big burst within it),
   * or four times that at all. Then it is cut off.
   */
  private write(connection: Connection, frame: Buffer): boolean {
    if (connection.closed || connection.cut) return false;
    const backlog = connection.backlog;
    const limit = this.options.maxBufferedBytes;
    if (backlog > limit) {
      const now = Date.now();
      connection.overSince ??= now;
      if (backlog > 4 * limit || now - connection.overSince > SLOW_CONSUMER_GRACE_MS) {
        this.cutOff(connection);
        return false;
      }
    } else {
      connection.overSince = undefined;
    }
    return connection.write(frame, this.coalescer);
  }

  private cutOff(connection: Connection): void {
    if (connection.cut) return;
    connection.cut = true;
    this.logger.warn(
      { id: connection.id, addr: connection.addr, backlog: connection.backlog, limit: this.options.maxBufferedBytes },
      'slow consumer cut off',
    );
    // A close handshake cannot get through a full buffer: drop the socket.
    connection.socket.terminate();
  }

  /** `frame` as a WebSocket frame in `codec`'s format; undefined when the dialect has no such frame. */
  private encode(codec: ServerDialect, frame: ServerFrame): Buffer | undefined {
    const text = codec.encode(frame, this.presence.count);
    return text === undefined ? undefined : textFrame(text);
  }

  /** Writes `frame` in the connection's dialect, if it has such a frame (a legacy client has no welcome, ack or receipt). */
  private sendFrame(connection: Connection, frame: ServerFrame): void {
    const encoded = this.encode(connection.codec, frame);
    if (encoded) this.write(connection, encoded);
  }

  private reject(
    connection: Connection,
    code: ErrorFrame['code'],
    message: string,
    extra: { id?: string | undefined; targets?: Target; retryAfter?: number } = {},
  ): void {
    // Not routing is the relay's failing, not the client's: it does not count as flooding.
    if (code !== ErrorCode.Unavailable && this.countRejection(connection)) return;
    // A legacy client gets it as a message from no one, with `data.error` (its format has no error frame).
    this.sendFrame(connection, {
      type: 'error',
      code,
      message,
      ...(extra.id !== undefined ? { id: extra.id } : {}),
      ...(extra.targets ? { targets: extra.targets } : {}),
      ...(extra.retryAfter !== undefined ? { retryAfter: extra.retryAfter } : {}),
    });
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
        this.end(connection, CloseCode.PolicyViolation, CloseReason.Flood);
      }
      return true;
    }
    return false;
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

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
        this.end(connection, CloseCode.GoingAway, CloseReason.Shutdown);
      }
    });
    this.wss.close();
    await this.coordinator.close();
  }
}

/**
 * The `"id"` of a frame we will not parse (too big, rate limited), if it comes
 * early and before `"data"` (so an id inside the payload is not mistaken for it).
 */
function sniffId(bytes: Buffer): string | undefined {
  let head = bytes.subarray(0, 256).toString('utf8');
  const data = head.indexOf('"data"');
  if (data >= 0) head = head.slice(0, data);
  const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(head);
  return match?.[1];
}
