import type { Handler } from 'mitt';
import { createMessageCenter, type MessageCenter, type Unsubscribe } from '../bus/message-center.js';
import { decodeServerFrame } from '../protocol/codec.js';
import { CloseCode, ErrorCode, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { ClientFrame, Limits, Peer, ServerFrame, Target, WelcomeFrame } from '../protocol/frames.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import { CHAT_BACKOFF, withBackoffDefaults, type BackoffOptions } from '../transport/backoff.js';
import {
  ReWebSocketService,
  type ConnectionStateChange,
  type UrlProvider,
  type WebSocketConstructor,
} from '../transport/re-websocket-service.js';
import { LegacyDialect } from './legacy-dialect.js';
import { measure, prepare, sendFrameOf } from './outgoing.js';
import { memoryStore, type ClientStore, type ResumeState } from './persistence.js';
import { PresenceNotices } from './presence-notices.js';
import {
  payloadText,
  type ChatErrorDetail,
  type ChatMessage,
  type ChatNotice,
  type ChatProtocol,
  type ChatStatus,
  type GapDetail,
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
  /** ms without any frame from the server after which the link counts as dead and is replaced. Default: the server's heartbeat interval + 10 s. */
  deadLinkTimeout?: number;
  /** ms `checkLink()` waits for an answer before replacing the link. Default 3000. */
  probeTimeout?: number;
  /** Where the outbox and the resume state are kept. Default: in memory (the panel uses IndexedDB and sessionStorage). */
  store?: ClientStore;
}

export type ChatClientEvents = {
  status: StatusDetail;
  presence: PresenceDetail;
  /** A message from someone else (or from another connection of yours). */
  message: ChatMessage;
  /** One of your own messages was created or changed state. */
  update: ChatMessage;
  notice: ChatNotice;
  /** Messages may have been missed and cannot be replayed. */
  gap: GapDetail;
  error: ChatErrorDetail;
};

interface OutboxEntry {
  message: ChatMessage;
  /** On the wire on the current connection, waiting for its answer (cleared on every reconnect, and when it must go again). */
  transmitted: boolean;
  /** Written before the relay lost its state: its recipients may still be on their way back. */
  beforeGap?: boolean;
}

/** Private messages acknowledged but not yet confirmed delivered, kept for their receipt. */
const MAX_AWAITING_RECEIPT = 1000;
const RECEIVED_DEBOUNCE_MS = 250;
/**
 * After a relay restart that lost its state, how long a private message from
 * before it waits for its recipients to come back before it counts as failed.
 */
const GAP_GRACE_MS = 5000;
/** Message ids remembered to recognise a resend that the server could not (it lost its log). */
const SEEN_IDS = 10_000;
const RESUME_SAVE_MS = 250;
/** Close codes with which the relay refuses a connection (the reason, a stable code, says why). */
const REFUSALS = new Set<number>([CloseCode.PolicyViolation, CloseCode.TryAgainLater, CloseCode.Unauthorized, CloseCode.Forbidden]);

/**
 * Protocol v1 and legacy clients over ReWebSocketService. What it adds to a
 * socket:
 * - an outbox: every message you send keeps its id and stays until the
 *   server acknowledges it, and is sent after every (re)connection handshake,
 *   in order; it survives reloads when the store does;
 * - pacing: messages go out no faster than the relay's rate limit
 *   (`welcome.limits`), and never ahead of an earlier one: one the relay
 *   asks to have again (`rate_limited`, `unavailable`) goes again first,
 *   with everything after it behind it;
 * - resume: after a reconnect it presents its session, epoch and last
 *   offset, so the server restores its identity and replays what it missed,
 *   and it drops anything at or below the last offset it processed, so no
 *   message is shown twice;
 * - a heartbeat that replaces a silent link, and `checkLink()` for when the
 *   platform says the network changed.
 * No DOM: the panel renders what this reports, and it runs in Node too.
 */
export class ChatClient {
  // Our bus, not bare mitt: a throwing listener must not break the client.
  private readonly emitter: MessageCenter<ChatClientEvents> = createMessageCenter<ChatClientEvents>();
  private readonly options: ChatClientOptions;
  private readonly store: ClientStore;
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly awaitingReceipt = new Map<string, ChatMessage>();
  private readonly legacy: LegacyDialect | undefined;
  private service: ReWebSocketService | undefined;
  private loading: Promise<void> | undefined;
  private closed = false;
  private statusValue: ChatStatus = 'offline';
  private retryAtValue: number | undefined;
  private attemptValue = 0;
  private selfValue: Peer | undefined;
  private rosterValue: Peer[] = [];
  private countValue = 0;
  private resume: ResumeState | undefined;
  private resumeDirty = false;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  private receivedTimer: ReturnType<typeof setTimeout> | undefined;
  private unreported = false;
  private lastFrameAt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private probe: ReturnType<typeof setTimeout> | undefined;
  private pingInterval = 25_000;
  private limitsValue: Limits | undefined;
  private noticeKey = 0;
  private readonly notices = new PresenceNotices((notice) => this.emitter.emit('notice', notice));
  private readonly seenIds = new Set<string>();
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current socket got its welcome: a close before that was a refusal, not a lost link. */
  private welcomed = false;
  /** The relay's rate limit as this client has spent it: every frame written costs a token. */
  private bucket: TokenBucket | undefined;
  /** Wakes the outbox when a token is due, or the relay's retryAfter has passed. */
  private outboxTimer: ReturnType<typeof setTimeout> | undefined;
  /** No message goes before this time (the relay said when to try again). */
  private holdUntil = 0;
  /** After a refusal, the message sent again alone: nothing after it goes until it is answered. */
  private retrying: string | undefined;
  /** `unavailable` was reported for the current outage (once is enough). */
  private unavailableReported = false;

  constructor(options: ChatClientOptions) {
    if (typeof options?.url !== 'string' && typeof options?.url !== 'function') {
      throw new TypeError('ChatClient: options.url must be a WebSocket URL or a function returning one');
    }
    if (options.protocol !== undefined && options.protocol !== 'v1' && options.protocol !== 'legacy') {
      throw new TypeError(`ChatClient: protocol must be "v1" or "legacy", got ${JSON.stringify(options.protocol)}`);
    }
    this.options = options;
    this.store = options.store ?? memoryStore();
    if (options.protocol === 'legacy') {
      this.legacy = new LegacyDialect(options.name ?? '', {
        emit: (type, detail) => this.emitter.emit(type, detail as never),
        settle: (id, change) => this.settle(id, change),
        isPending: (id) => this.outbox.get(id)?.message.state === 'pending',
        setCount: (count) => {
          this.countValue = count;
        },
      });
    }
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

  /** The relay's limits from its last welcome (v1), or undefined before the first one. */
  get limits(): Limits | undefined {
    return this.limitsValue;
  }

  /** Your messages not yet acknowledged, oldest first. */
  get pending(): ChatMessage[] {
    return [...this.outbox.values()].map((entry) => entry.message);
  }

  get name(): string {
    return this.options.name ?? '';
  }

  /** The session, epoch and newest processed offset this client would resume from. */
  get resumeState(): ResumeState | undefined {
    return this.resume;
  }

  /**
   * Opens the connection (again); harmless when already open or connecting.
   * The stored outbox and resume state are loaded first.
   */
  connect(): void {
    this.closed = false;
    this.loading ??= this.load();
    void this.loading.then(() => {
      if (this.closed) return;
      if (this.service) this.service.open();
      else this.service = this.createService();
    });
  }

  /** Closes the connection; your pending messages stay in the outbox for the next connect. */
  close(): void {
    this.closed = true;
    this.notices.stop();
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.stopHeartbeat();
    this.flushResume();
    clearTimeout(this.receivedTimer);
    this.service?.close(CloseCode.Normal, 'client closed');
    if (!this.service) this.setStatus('offline');
  }

  /** Writes the resume state now (it is otherwise written a moment after it changes): call it when the page is going away. */
  persist(): void {
    this.flushResume();
  }

  /** Replaces the connection now, skipping any backoff wait. */
  reconnect(): void {
    if (this.closed) return;
    if (!this.service) return this.connect();
    this.service.reconnect();
  }

  /**
   * Makes sure the link is alive, as after the platform reports that the
   * network came back or the page became visible: reconnects at once when not
   * online, and otherwise pings and replaces the link if nothing answers
   * within `probeTimeout`.
   */
  checkLink(): void {
    if (this.closed || !this.service) return;
    if (this.statusValue !== 'online') {
      if (this.statusValue === 'reconnecting') this.reconnect();
      return;
    }
    if (this.legacy || this.probe !== undefined) return;
    const asked = Date.now();
    this.sendFrame({ type: 'ping', t: asked });
    this.probe = setTimeout(() => {
      this.probe = undefined;
      if (this.lastFrameAt < asked && this.statusValue === 'online') {
        this.emitter.emit('error', { code: 'connection', message: 'no answer to a ping; replacing the link' });
        this.reconnect();
      }
    }, this.options.probeTimeout ?? 3000);
  }

  /**
   * Sends `data` to everyone, or to `to`. The message is kept in the outbox
   * until the server acknowledges it, and sent as soon as the client is
   * online. Returns it (state `pending`), or undefined when it is refused
   * here, with an `error` event and nothing sent: `outbox_full` (nothing is
   * dropped), `too_large` (its frame would exceed the relay's
   * `maxFrameBytes`, once a welcome has said what that is) or `bad_field`
   * (`data` cannot be sent as JSON).
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
    const from = this.selfValue ?? { id: '', name: this.name, addr: '' };
    const prepared = prepare(data, to, from, this.legacy ? undefined : this.limitsValue?.maxFrameBytes);
    if ('error' in prepared) {
      this.emitter.emit('error', prepared.error);
      return undefined;
    }
    const { message } = prepared;
    const { id } = message;
    const entry: OutboxEntry = { message, transmitted: false };
    this.outbox.set(id, entry);
    this.saveOutbox();
    this.emitter.emit('update', message);
    // Waiting for a token or a retry already: the timer sends it, after the ones before it.
    if (this.outboxTimer === undefined) this.flushOutbox();
    return message;
  }

  /**
   * Takes over messages another client (or an earlier page) left pending:
   * they keep their ids, so the server can tell a resend from a new message,
   * and go out before anything sent since, in order, once online.
   */
  adopt(messages: readonly ChatMessage[]): void {
    const adopted: Array<[string, OutboxEntry]> = [];
    for (const message of messages) {
      if (!message.own || message.state !== 'pending' || this.outbox.has(message.id)) continue;
      adopted.push([message.id, { message, transmitted: false }]);
    }
    if (adopted.length === 0) return;
    const later = [...this.outbox];
    this.outbox.clear();
    for (const [id, entry] of [...adopted, ...later]) this.outbox.set(id, entry);
    this.saveOutbox();
    for (const [, entry] of adopted) this.emitter.emit('update', entry.message);
    this.flushOutbox();
  }

  // ── storage ─────────────────────────────────────────────────────────────

  private async load(): Promise<void> {
    if (!this.legacy) this.resume = this.store.loadResume();
    this.adopt(await this.store.loadOutbox());
  }

  private saveOutbox(): void {
    void this.store.saveOutbox(this.pending);
  }

  private noteOffset(epoch: string, offset: number): void {
    if (this.resume && this.resume.epoch === epoch && offset <= this.resume.offset) return;
    this.resume = { session: this.resume?.session ?? '', epoch, offset };
    this.resumeDirty = true;
    this.resumeTimer ??= setTimeout(() => this.flushResume(), RESUME_SAVE_MS);
  }

  private flushResume(): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    if (!this.resumeDirty) return;
    this.resumeDirty = false;
    this.store.saveResume(this.resume);
  }

  // ── connection ──────────────────────────────────────────────────────────

  private createService(): ReWebSocketService {
    return new ReWebSocketService(() => this.resolveUrl(), {
      ...(this.legacy ? {} : { protocols: [SUBPROTOCOL_V1] }),
      ...(this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {}),
      ...withBackoffDefaults(this.options, CHAT_BACKOFF),
      connectionTimeout: this.options.connectionTimeout ?? 4000,
      // The outbox is ours; nothing may wait in the socket's queue.
      maxQueuedMessages: 0,
      openCallback: () => this.onOpen(),
      messageCallback: (event) => this.onFrame(String(event.data)),
      stateCallback: (change) => this.onState(change),
      // Refused right after the handshake (a bad token, a full relay): the
      // backoff keeps growing rather than retrying at the shortest delay.
      closeIsFailure: (event) => (this.legacy ? REFUSALS.has(event.code) : !this.welcomed),
      // No retry can change the page's origin.
      shouldReconnect: (event) => event.code !== CloseCode.Forbidden,
      closeCallback: (event) => {
        if (REFUSALS.has(event.code) && event.reason) {
          this.emitter.emit('error', { code: event.reason, message: `the relay refused the connection (${event.code} ${event.reason})` });
        }
        // Someone else resumed this session (a copy of this page): start a new one.
        if (event.code === CloseCode.SessionTakenOver) {
          this.resume = undefined;
          this.store.saveResume(undefined);
        }
      },
      errorCallback: (error) => {
        if (error instanceof Error) this.emitter.emit('error', { code: 'connection', message: error.message });
      },
    });
  }

  private async resolveUrl(): Promise<string> {
    const base = typeof this.options.url === 'function' ? await this.options.url() : this.options.url;
    const url = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
    const { token } = this.options;
    if (token !== undefined) url.searchParams.set('token', typeof token === 'function' ? await token() : token);
    if (this.legacy && this.name) url.searchParams.set('userName', this.name);
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
        if (this.legacy) this.setStatus('online');
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
    this.welcomed = false;
    if (this.legacy) {
      this.flushOutbox();
      return;
    }
    this.sendFrame({
      type: 'hello',
      ...(this.name ? { name: this.name } : {}),
      ...(this.resume?.session ? { resume: { ...this.resume } } : {}),
    });
  }

  private wentOffline(): void {
    this.stopHeartbeat();
    clearTimeout(this.probe);
    this.probe = undefined;
    this.flushResume();
    for (const entry of this.outbox.values()) entry.transmitted = false;
    this.retrying = undefined;
    clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
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

  /** `paid`: its token was taken already (a message the outbox let go). */
  private sendFrame(frame: ClientFrame, paid = false): void {
    if (!this.service) return;
    if (!paid) this.bucket?.spend();
    this.service.send(JSON.stringify(frame));
  }

  private transmit(entry: OutboxEntry): void {
    if (!this.service) return;
    entry.transmitted = true;
    const { message } = entry;
    if (this.legacy) {
      this.legacy.transmit(this.service, message);
      return;
    }
    this.sendFrame(sendFrameOf(message), true);
  }

  /** Whether every target is online now (by id or name; addresses are not known to clients). */
  private present(to: Target | undefined): boolean {
    if (!to) return true;
    const ids = new Set(this.rosterValue.map((peer) => peer.id));
    const names = new Set(this.rosterValue.map((peer) => peer.name));
    return (to.ids ?? []).every((id) => ids.has(id)) && (to.names ?? []).every((name) => names.has(name)) && !to.addrs?.length;
  }

  /**
   * Puts the outbox on the wire, oldest first, as fast as the relay's limits
   * allow, and never a message ahead of one before it: it stops at the first
   * that cannot go yet (no token, a retry not due, its recipients not back
   * after a relay restart, an earlier one being sent again alone) and
   * carries on when that changes. A legacy server announces no limits and
   * acknowledges nothing: everything goes at once, as before.
   */
  private flushOutbox(): void {
    clearTimeout(this.outboxTimer);
    this.outboxTimer = undefined;
    if (this.statusValue !== 'online' || !this.service) return;
    const now = Date.now();
    if (now < this.holdUntil) return this.wakeOutbox(this.holdUntil - now);
    for (const entry of this.outbox.values()) {
      if (entry.transmitted) continue;
      if (this.legacy) {
        this.transmit(entry);
        continue;
      }
      if (this.retrying !== undefined && this.outbox.get(this.retrying)?.transmitted) return;
      if (entry.beforeGap && !this.present(entry.message.to)) return;
      const wait = this.bucket?.take(now) ?? 0;
      if (wait > 0) return this.wakeOutbox(wait);
      this.transmit(entry);
    }
  }

  private wakeOutbox(ms: number): void {
    this.outboxTimer = setTimeout(() => this.flushOutbox(), ms);
  }

  /**
   * The relay did not take `entry` and wants it again: it and every message
   * after it are sent again, in order, it first and alone, once the relay's
   * `retryAfter` has passed. (Those after it that were on the wire are
   * refused or, by a relay of an older revision, routed: then their acks
   * settle them.)
   */
  private sendAgain(entry: OutboxEntry, retryAfter: number): void {
    let later = false;
    for (const candidate of this.outbox.values()) {
      later ||= candidate === entry;
      if (later) candidate.transmitted = false;
    }
    this.retrying = entry.message.id;
    this.holdUntil = Math.max(this.holdUntil, Date.now() + retryAfter);
    this.flushOutbox();
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
    if (this.legacy) {
      this.legacy.receive(text);
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
        this.welcome(frame);
        return;
      case 'message': {
        const epoch = this.resume?.epoch ?? '';
        // At or below the newest offset processed: a replay of something already shown.
        if (this.resume && frame.offset <= this.resume.offset) return;
        this.noteOffset(epoch, frame.offset);
        // A sender resends what the server did not acknowledge; after a relay
        // lost its log (new epoch) that resend has a new offset, but its id.
        const seen = `${frame.from.name}\u0000${frame.id}`;
        if (this.seenIds.has(seen)) return;
        this.seenIds.add(seen);
        if (this.seenIds.size > SEEN_IDS) this.seenIds.delete(this.seenIds.values().next().value!);
        const own = frame.from.id === this.selfValue?.id;
        this.emitter.emit('message', {
          key: `${epoch}:${frame.offset}`,
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
        if (frame.to) this.reportReceived();
        return;
      }
      case 'ack':
        this.settle(frame.id, { state: 'sent', offset: frame.offset, ts: frame.ts });
        return;
      case 'delivered': {
        const message = this.awaitingReceipt.get(frame.id);
        if (!message) return;
        this.awaitingReceipt.delete(frame.id);
        const delivered: ChatMessage = { ...message, state: 'delivered' };
        this.emitter.emit('update', delivered);
        return;
      }
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

  private welcome(frame: WelcomeFrame): void {
    const presented = this.resume;
    this.welcomed = true;
    this.selfValue = frame.self;
    this.rosterValue = frame.roster;
    this.countValue = frame.count;
    this.limitsValue = frame.limits;
    this.pace(frame.limits);
    this.pingInterval = frame.limits.heartbeatInterval;
    if (frame.resumed && presented) {
      this.resume = { session: frame.session, epoch: frame.epoch, offset: presented.offset };
    } else {
      this.resume = { session: frame.session, epoch: frame.epoch, offset: frame.offset };
    }
    this.resumeDirty = true;
    this.flushResume();
    this.startHeartbeat();
    this.setStatus('online');
    this.emitter.emit('presence', { kind: 'welcome', roster: this.rosterValue, count: this.countValue });
    this.notices.welcome(this.rosterValue);
    // Written while the relay's limit was unknown (offline since the start): refused here, not by the relay.
    for (const entry of [...this.outbox.values()]) {
      const measured = measure(entry.message, frame.limits.maxFrameBytes);
      if (measured.ok) continue;
      this.settle(entry.message.id, { state: 'failed', error: measured.code });
      this.emitter.emit('error', { code: measured.code, message: measured.message, id: entry.message.id });
    }
    if (presented && !frame.resumed) {
      // The relay forgot everyone: private messages from before wait (a little)
      // for their recipients to come back rather than fail at once.
      for (const entry of this.outbox.values()) if (entry.message.to) entry.beforeGap = true;
      clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(() => {
        this.graceTimer = undefined;
        for (const entry of this.outbox.values()) entry.beforeGap = false;
        if (this.statusValue === 'online') this.flushOutbox();
      }, GAP_GRACE_MS);
    }
    if (frame.gap || (presented && !frame.resumed)) {
      const reason = presented && presented.epoch !== frame.epoch ? 'epoch' : frame.resumed ? 'window' : 'session';
      this.emitter.emit('gap', { reason });
      this.emitter.emit('notice', { kind: 'gap', key: `gap:${++this.noticeKey}:${Date.now()}`, ts: Date.now() });
    }
    this.flushOutbox();
    if (this.unreported) this.reportReceived();
  }

  private presence(kind: 'join' | 'leave', peer: Peer, count: number): void {
    if (kind === 'join') {
      this.rosterValue = [...this.rosterValue.filter((p) => p.id !== peer.id), peer];
    } else {
      this.rosterValue = this.rosterValue.filter((p) => p.id !== peer.id);
    }
    this.countValue = count;
    // Someone came back: private messages waiting for their recipients after a relay restart may go now.
    if (kind === 'join' && this.graceTimer !== undefined) this.flushOutbox();
    this.emitter.emit('presence', { kind, peer, roster: this.rosterValue, count });
    if (kind === 'join') this.notices.join(peer);
    else this.notices.leave(peer);
  }

  /** Tells the server, soon and once for a burst, what we have processed: it sends delivery receipts for private messages. */
  private reportReceived(): void {
    this.unreported = true;
    this.receivedTimer ??= setTimeout(() => {
      this.receivedTimer = undefined;
      // Offline: `unreported` stays set, and the next welcome reports it.
      if (!this.unreported || !this.resume || this.statusValue !== 'online') return;
      this.unreported = false;
      this.sendFrame({ type: 'received', offset: this.resume.offset });
    }, RECEIVED_DEBOUNCE_MS);
  }

  /**
   * Mirrors the relay's bucket (PROTOCOL.md §13.2): full on the first
   * welcome, less the hello it answers; kept across reconnects, as the relay
   * keeps its bucket with the session.
   */
  private pace(limits: Limits): void {
    if (this.bucket?.rate === limits.maxMessagesPerSecond && this.bucket.capacity === limits.burst) return;
    this.bucket = new TokenBucket(limits.maxMessagesPerSecond, limits.burst);
    this.bucket.spend();
  }

  private onError(code: string, message: string, id: string | undefined, retryAfter: number | undefined): void {
    const entry = id !== undefined ? this.outbox.get(id) : undefined;
    if (code === ErrorCode.RateLimited || code === ErrorCode.Unavailable) {
      // Not refused, only early, or the relay cannot route just now: the
      // message goes again, in its place. Early is this client's own pacing
      // to get right, not news for the application; an outage is, once.
      if (code === ErrorCode.RateLimited) this.bucket?.empty();
      if (entry?.transmitted) this.sendAgain(entry, retryAfter ?? 1000);
      else if (!entry) this.holdUntil = Math.max(this.holdUntil, Date.now() + (retryAfter ?? 1000));
      if (code === ErrorCode.RateLimited || this.unavailableReported) return;
      this.unavailableReported = true;
    } else if (entry) {
      this.settle(entry.message.id, { state: 'failed', error: code });
    }
    this.emitter.emit('error', { code, message, ...(id !== undefined ? { id } : {}) });
  }

  private settle(id: string, change: Partial<Pick<ChatMessage, 'state' | 'offset' | 'ts' | 'error'>>): void {
    const entry = this.outbox.get(id);
    if (!entry) return;
    const message: ChatMessage = { ...entry.message, ...change, from: this.selfValue ?? entry.message.from };
    entry.message = message;
    if (change.state !== 'pending') {
      this.outbox.delete(id);
      this.saveOutbox();
    }
    if (change.state === 'sent') this.unavailableReported = false;
    if (change.state === 'sent' && message.to && !this.legacy) {
      this.awaitingReceipt.set(id, message);
      if (this.awaitingReceipt.size > MAX_AWAITING_RECEIPT) {
        this.awaitingReceipt.delete(this.awaitingReceipt.keys().next().value!);
      }
    }
    this.emitter.emit('update', message);
    if (id === this.retrying && change.state !== 'pending') {
      // Answered: what came after it may follow.
      this.retrying = undefined;
      this.flushOutbox();
    }
  }
}
