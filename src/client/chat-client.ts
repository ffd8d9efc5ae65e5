import type { Handler } from 'mitt';
import { createMessageCenter, type MessageCenter, type Unsubscribe } from '../bus/message-center.js';
import { decodeServerFrame, parseObject } from '../protocol/codec.js';
import { ErrorCode, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { ClientFrame, Peer, ServerFrame, Target } from '../protocol/frames.js';
import { LEGACY_LOGIN, LEGACY_LOGOUT, type LegacyOutFrame } from '../protocol/legacy.js';
import type { BackoffOptions } from '../transport/backoff.js';
import {
  ReWebSocketService,
  type ConnectionStateChange,
  type UrlProvider,
  type WebSocketConstructor,
} from '../transport/re-websocket-service.js';
import {
  payloadText,
  type ChatErrorDetail,
  type ChatMessage,
  type ChatNotice,
  type ChatProtocol,
  type ChatStatus,
  type PresenceDetail,
  type StatusDetail,
} from './types.js';

/** A token, or a function that fetches a fresh one before every connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

export interface ChatClientOptions extends Partial<BackoffOptions> {
  /** The relay's WebSocket URL, or a function giving it (called before every attempt). */
  url: UrlProvider;
  /** The display name to ask for. */
  name?: string;
  /** Default 'v1'. */
  protocol?: ChatProtocol;
  /** Sent as the `token` query parameter on every attempt, fetched anew each time when a function. */
  token?: TokenSource;
  /** For Node: the WebSocket class (from `ws`). */
  WebSocket?: WebSocketConstructor;
  /** ms an attempt may take. Default 4000. */
  connectionTimeout?: number;
  /** Your messages kept while unacknowledged; one more is refused with `outbox_full`. Default 1000. */
  maxOutbox?: number;
  /** ms without any frame from the server after which the link counts as dead and is replaced. Default: from the server's heartbeat interval. */
  deadLinkTimeout?: number;
}

export type ChatClientEvents = {
  status: StatusDetail;
  presence: PresenceDetail;
  /** A message from someone else. */
  message: ChatMessage;
  /** One of your own messages was created or changed state. */
  update: ChatMessage;
  notice: ChatNotice;
  error: ChatErrorDetail;
};

interface OutboxEntry {
  message: ChatMessage;
  /** Transmitted on the current connection (cleared on every reconnect). */
  transmitted: boolean;
  retryTimer?: ReturnType<typeof setTimeout>;
}

const LEGACY_ECHO_WINDOW_MS = 30_000;

/**
 * Protocol v1 and legacy clients over ReWebSocketService: the handshake,
 * who is online, an outbox of your messages that holds them until the server
 * acknowledges them and sends them after every (re)connection handshake, and
 * an application heartbeat that replaces a silent link. No DOM: the panel
 * renders what this reports, and it runs in Node too.
 */
export class ChatClient {
  // Our bus, not bare mitt: a throwing listener must not break the client.
  private readonly emitter: MessageCenter<ChatClientEvents> = createMessageCenter<ChatClientEvents>();
  private readonly options: ChatClientOptions;
  private readonly outbox = new Map<string, OutboxEntry>();
  private service: ReWebSocketService | undefined;
  private statusValue: ChatStatus = 'offline';
  private retryAtValue: number | undefined;
  private attemptValue = 0;
  private selfValue: Peer | undefined;
  private rosterValue: Peer[] = [];
  private countValue = 0;
  private lastFrameAt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pingInterval = 25_000;
  private legacyKey = 0;
  /** Legacy: what we sent lately, to recognise the server's echo of it. */
  private legacyEchoes: Array<{ id: string; data: string; at: number }> = [];
  private localKey = 0;

  constructor(options: ChatClientOptions) {
    if (typeof options?.url !== 'string' && typeof options?.url !== 'function') {
      throw new TypeError('ChatClient: options.url must be a WebSocket URL or a function returning one');
    }
    if (options.protocol !== undefined && options.protocol !== 'v1' && options.protocol !== 'legacy') {
      throw new TypeError(`ChatClient: protocol must be "v1" or "legacy", got ${JSON.stringify(options.protocol)}`);
    }
    this.options = options;
  }

  /** Listens to the client; returns the function that stops listening. */
  on<K extends keyof ChatClientEvents>(type: K, handler: Handler<ChatClientEvents[K]>): Unsubscribe {
    return this.emitter.on(type, handler);
  }

  get protocol(): ChatProtocol {
    return this.options.protocol ?? 'v1';
  }

  get status(): ChatStatus {
    return this.statusValue;
  }

  get retryAt(): number | undefined {
    return this.statusValue === 'reconnecting' ? this.retryAtValue : undefined;
  }

  /** Who the server says you are (v1, once online). */
  get self(): Peer | undefined {
    return this.selfValue;
  }

  get roster(): readonly Peer[] {
    return this.rosterValue;
  }

  get count(): number {
    return this.countValue;
  }

  /** Your messages not yet acknowledged, oldest first. */
  get pending(): ChatMessage[] {
    return [...this.outbox.values()].map((entry) => entry.message);
  }

  get name(): string {
    return this.options.name ?? '';
  }

  /** Opens the connection (again). Harmless when already open or connecting. */
  connect(): void {
    if (this.service) {
      this.service.open();
      return;
    }
    const legacy = this.protocol === 'legacy';
    this.service = new ReWebSocketService(() => this.resolveUrl(), {
      ...(legacy ? {} : { protocols: [SUBPROTOCOL_V1] }),
      ...(this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {}),
      minReconnectionDelay: this.options.minReconnectionDelay ?? 500,
      maxReconnectionDelay: this.options.maxReconnectionDelay ?? 10_000,
      reconnectionDelayGrowFactor: this.options.reconnectionDelayGrowFactor ?? 1.5,
      jitter: this.options.jitter ?? 0.5,
      connectionTimeout: this.options.connectionTimeout ?? 4000,
      // The outbox is ours; nothing may wait in the socket's queue.
      maxQueuedMessages: 0,
      openCallback: () => this.onOpen(),
      messageCallback: (event) => this.onFrame(String(event.data)),
      stateCallback: (change) => this.onState(change),
      errorCallback: (error) => {
        if (error instanceof Error) this.emitter.emit('error', { code: 'connection', message: error.message });
      },
    });
  }

  /** Closes the connection; your pending messages stay in the outbox for the next connect. */
  close(): void {
    this.stopHeartbeat();
    this.service?.close(1000, 'client closed');
  }

  /** Replaces the connection now (for instance when the browser says the network came back). */
  reconnect(): void {
    if (!this.service) return this.connect();
    this.service.reconnect();
  }

  /**
   * Sends `data` to everyone, or to `to`. The message is kept in the outbox
   * until the server acknowledges it, and sent as soon as the client is
   * online. Returns it (state `pending`), or undefined when the outbox is full
   * (reported as an `outbox_full` error; nothing is dropped).
   */
  send(data: unknown, to?: Target): ChatMessage | undefined {
    const limit = this.options.maxOutbox ?? 1000;
    if (this.outbox.size >= limit) {
      this.emitter.emit('error', {
        code: 'outbox_full',
        message: `${this.outbox.size} messages are waiting for the server; not accepting more until they are sent`,
      });
      return undefined;
    }
    const id = newMessageId();
    const message: ChatMessage = {
      key: `local:${id}`,
      id,
      from: this.selfValue ?? { id: '', name: this.name, addr: '' },
      ...(to ? { to } : {}),
      data,
      text: payloadText(data),
      ts: Date.now(),
      own: true,
      state: 'pending',
    };
    const entry: OutboxEntry = { message, transmitted: false };
    this.outbox.set(id, entry);
    this.emitter.emit('update', message);
    if (this.statusValue === 'online') this.transmit(entry);
    return message;
  }

  /**
   * Takes over messages another client (or an earlier page) left pending:
   * they keep their ids, so the server can tell a resend from a new message,
   * and go out in order once online.
   */
  adopt(messages: readonly ChatMessage[]): void {
    for (const message of messages) {
      if (!message.own || message.state !== 'pending' || this.outbox.has(message.id)) continue;
      const entry: OutboxEntry = { message, transmitted: false };
      this.outbox.set(message.id, entry);
      if (this.statusValue === 'online') this.transmit(entry);
    }
  }

  // ── connection ──────────────────────────────────────────────────────────

  private async resolveUrl(): Promise<string> {
    const base = typeof this.options.url === 'function' ? await this.options.url() : this.options.url;
    const url = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
    const { token } = this.options;
    if (token !== undefined) url.searchParams.set('token', typeof token === 'function' ? await token() : token);
    if (this.protocol === 'legacy' && this.name) url.searchParams.set('userName', this.name);
    return url.toString();
  }

  private onState(change: ConnectionStateChange): void {
    this.attemptValue = change.attempt;
    this.retryAtValue = change.retryAt;
    switch (change.state) {
      case 'connecting':
        this.setStatus('connecting');
        break;
      case 'open':
        // v1 is online once welcomed; legacy as soon as the socket opens.
        if (this.protocol === 'legacy') this.setStatus('online');
        break;
      case 'reconnecting':
        this.wentOffline();
        this.setStatus('reconnecting', true);
        break;
      case 'closed':
        this.wentOffline();
        this.setStatus('offline');
        break;
    }
  }

  private onOpen(): void {
    this.lastFrameAt = Date.now();
    if (this.protocol === 'legacy') {
      this.flushOutbox();
      return;
    }
    this.sendFrame({ type: 'hello', ...(this.name ? { name: this.name } : {}) });
  }

  private wentOffline(): void {
    this.stopHeartbeat();
    for (const entry of this.outbox.values()) {
      entry.transmitted = false;
      clearTimeout(entry.retryTimer);
    }
  }

  private setStatus(status: ChatStatus, force = false): void {
    if (status === this.statusValue && !force) return;
    this.statusValue = status;
    this.emitter.emit('status', {
      status,
      attempt: this.attemptValue,
      ...(status === 'reconnecting' && this.retryAtValue !== undefined ? { retryAt: this.retryAtValue } : {}),
    });
  }

  private sendFrame(frame: ClientFrame): void {
    this.service?.send(JSON.stringify(frame));
  }

  private transmit(entry: OutboxEntry): void {
    if (entry.transmitted) return;
    entry.transmitted = true;
    const { message } = entry;
    if (this.protocol === 'legacy') {
      const addrs = message.to?.addrs ?? [];
      this.service?.send(JSON.stringify({ ...(addrs.length ? { ip: addrs } : {}), userName: this.name, data: message.data }));
      this.legacyEchoes.push({ id: message.id, data: JSON.stringify(message.data), at: Date.now() });
      // The original server echoes a broadcast to its sender: that echo is the
      // acknowledgement. A unicast gets none, so writing it is all we can know.
      if (addrs.length > 0) this.settle(message.id, { state: 'sent' });
      return;
    }
    this.sendFrame({ type: 'send', id: message.id, ...(message.to ? { to: message.to } : {}), data: message.data });
  }

  private flushOutbox(): void {
    for (const entry of this.outbox.values()) this.transmit(entry);
  }

  // ── heartbeat ───────────────────────────────────────────────────────────

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const timeout = this.options.deadLinkTimeout ?? this.pingInterval + 10_000;
    const every = Math.max(250, Math.min(this.pingInterval, timeout / 2));
    let lastPing = Date.now();
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.lastFrameAt > timeout) {
        this.emitter.emit('error', { code: 'connection', message: `no word from the server for ${timeout} ms; reconnecting` });
        this.reconnect();
        return;
      }
      if (now - lastPing >= every) {
        lastPing = now;
        this.sendFrame({ type: 'ping', t: now });
      }
    }, Math.min(1000, every));
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  // ── incoming ────────────────────────────────────────────────────────────

  private onFrame(text: string): void {
    this.lastFrameAt = Date.now();
    if (this.protocol === 'legacy') {
      this.onLegacyFrame(text);
      return;
    }
    const decoded = decodeServerFrame(text);
    if (!decoded.ok) {
      // A newer server may send frames this client does not know: skip them.
      if (decoded.code === ErrorCode.BadField) {
        this.emitter.emit('error', { code: 'bad_server_frame', message: decoded.message });
      }
      return;
    }
    this.handle(decoded.frame);
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.selfValue = frame.self;
        this.rosterValue = frame.roster;
        this.countValue = frame.count;
        this.pingInterval = frame.limits.heartbeatInterval;
        this.startHeartbeat();
        this.setStatus('online');
        this.emitter.emit('presence', { kind: 'welcome', roster: this.rosterValue, count: this.countValue });
        this.flushOutbox();
        return;
      case 'message': {
        const own = frame.from.id === this.selfValue?.id;
        this.emitter.emit('message', {
          key: `o:${frame.offset}`,
          id: frame.id,
          offset: frame.offset,
          from: frame.from,
          ...(frame.to ? { to: frame.to } : {}),
          data: frame.data,
          text: payloadText(frame.data),
          ts: frame.ts,
          own,
          ...(frame.replay ? { replay: true } : {}),
        });
        return;
      }
      case 'ack':
        this.settle(frame.id, { state: 'sent', offset: frame.offset, ts: frame.ts });
        return;
      case 'delivered':
        this.settle(frame.id, { state: 'delivered', offset: frame.offset });
        return;
      case 'join':
      case 'leave':
        this.presence(frame.type, frame.peer, frame.count);
        return;
      case 'error':
        this.onError(frame.code, frame.message, frame.id, frame.retryAfter);
        return;
      case 'pong':
        return;
    }
  }

  private presence(kind: 'join' | 'leave', peer: Peer, count: number): void {
    if (kind === 'join') {
      this.rosterValue = [...this.rosterValue.filter((p) => p.id !== peer.id), peer];
    } else {
      this.rosterValue = this.rosterValue.filter((p) => p.id !== peer.id);
    }
    this.countValue = count;
    this.emitter.emit('presence', { kind, peer, roster: this.rosterValue, count });
    this.emitter.emit('notice', { kind, peer, key: `${kind}:${peer.id}:${Date.now()}:${++this.localKey}`, ts: Date.now() });
  }

  private onError(code: string, message: string, id: string | undefined, retryAfter: number | undefined): void {
    const entry = id !== undefined ? this.outbox.get(id) : undefined;
    if (entry && code === ErrorCode.RateLimited) {
      // Not refused, only early: send it again when the server says it may.
      entry.transmitted = false;
      clearTimeout(entry.retryTimer);
      entry.retryTimer = setTimeout(() => {
        if (this.statusValue === 'online') this.transmit(entry);
      }, retryAfter ?? 1000);
    } else if (entry) {
      this.settle(entry.message.id, { state: 'failed', error: code });
    }
    this.emitter.emit('error', { code, message, ...(id !== undefined ? { id } : {}) });
  }

  private settle(id: string, change: Partial<Pick<ChatMessage, 'state' | 'offset' | 'ts' | 'error'>>): void {
    const entry = this.outbox.get(id);
    if (!entry) return;
    const message: ChatMessage = {
      ...entry.message,
      ...change,
      from: this.selfValue ?? entry.message.from,
    };
    entry.message = message;
    if (change.state !== 'pending') {
      clearTimeout(entry.retryTimer);
      this.outbox.delete(id);
    }
    this.emitter.emit('update', message);
  }

  // ── legacy ──────────────────────────────────────────────────────────────

  private onLegacyFrame(text: string): void {
    const parsed = parseObject(text);
    if (!parsed.ok) return;
    const frame = parsed.value as Partial<LegacyOutFrame>;
    if (typeof frame.count !== 'number') return;
    const addr = String(frame.currUserIp ?? '');
    const name = String(frame.currUserName ?? '');
    const peer: Peer = { id: addr ? `${addr}/${name}` : name, name, addr };
    const data = frame.data;
    this.countValue = frame.count;
    if (addr === '' && name === '' && data !== null && typeof data === 'object' && 'error' in data) {
      const { error, message } = data as { error: unknown; message?: unknown };
      this.emitter.emit('error', { code: String(error), message: String(message ?? error) });
      return;
    }
    if (data === LEGACY_LOGIN || data === LEGACY_LOGOUT) {
      const kind = data === LEGACY_LOGIN ? 'join' : 'leave';
      this.emitter.emit('presence', { kind, peer, roster: [], count: frame.count });
      this.emitter.emit('notice', { kind, peer, key: `legacy:${++this.legacyKey}`, ts: Date.now() });
      return;
    }
    if (name === this.name && this.matchEcho(data)) return;
    this.emitter.emit('message', {
      key: `legacy:${++this.legacyKey}`,
      id: `legacy-${this.legacyKey}`,
      from: peer,
      data,
      text: payloadText(data),
      ts: Date.now(),
      own: false,
    });
  }

  /**
   * The original server echoes what we send back to us (always for a
   * broadcast, and for a unicast whose address list includes our own). An
   * echo settles the matching pending message and is not shown twice.
   */
  private matchEcho(data: unknown): boolean {
    const serialized = JSON.stringify(data);
    const now = Date.now();
    this.legacyEchoes = this.legacyEchoes.filter((echo) => now - echo.at < LEGACY_ECHO_WINDOW_MS);
    const index = this.legacyEchoes.findIndex((echo) => echo.data === serialized);
    if (index < 0) return false;
    const [echo] = this.legacyEchoes.splice(index, 1);
    if (this.outbox.get(echo!.id)?.message.state === 'pending') this.settle(echo!.id, { state: 'sent' });
    return true;
  }
}

/** 128 random bits, URL-safe. (crypto.randomUUID needs a secure context; getRandomValues does not.) */
function newMessageId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += byte.toString(16).padStart(2, '0');
  return id;
}
