import type { Handler } from 'mitt';
import { createMessageCenter, type MessageCenter, type Unsubscribe } from '../bus/message-center.js';
import { CloseCode, QueryParam, REFUSAL_CLOSE_CODES } from '../protocol/constants.js';
import type { Limits, Peer, Target } from '../protocol/frames.js';
import type { BackoffOptions } from '../transport/backoff.js';
import {
  ReWebSocketService,
  type ConnectionStateChange,
  type UrlProvider,
  type WebSocketConstructor,
} from '../transport/re-websocket-service.js';
import type { Dialect, DialectHost } from './dialect.js';
import { LegacyDialect } from './legacy-dialect.js';
import { LivenessMonitor } from './liveness.js';
import { Outbox } from './outbox.js';
import { prepare } from './outgoing.js';
import { memoryStore, type ClientStore, type ResumeState } from './persistence.js';
import { ChatRequestError } from './requests.js';
import { ResumeKeeper } from './resume.js';
import type { RoomState } from './rooms.js';
import type {
  ChatErrorDetail,
  ChatMessage,
  ChatNotice,
  ChatProtocol,
  ChatStatus,
  GapDetail,
  HistoryDetail,
  PresenceDetail,
  SendOptions,
  StatusDetail,
} from './types.js';
import type { TypingDetail } from './typists.js';
import type { TypingTarget } from './typing-sender.js';
import { V1Dialect, type HistoryPage, type ReadersResult, type SearchResult } from './v1-dialect.js';

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
  /** The rooms to be in, in order (v1): the first is where a broadcast goes unless `send` names another. Default: the relay's default room. */
  rooms?: readonly string[];
  /** How many of the latest messages to load from the relay's log after the first welcome, as a `history` event (v1; at most 200). Default 50; 0: none. */
  history?: number;
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
  /** The latest messages from the relay's log, once after the first welcome (option `history`). */
  history: HistoryDetail;
  error: ChatErrorDetail;
  /** Who is typing in a conversation changed (v1): someone started, stopped, sent, left, or was not heard from for `Typing.expireMs`. */
  typing: TypingDetail;
};

/** The reason this client gives when it closes its socket. */
const CLIENT_CLOSED = 'client closed';

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
 *
 * The class keeps the connection and its status and composes the rest: the
 * `Outbox`, the `LivenessMonitor`, the `ResumeKeeper`, and a `Dialect` (v1
 * or legacy) picked when it is made, to which everything that differs
 * between the two formats is left.
 */
export class ChatClient {
  // Our bus, not bare mitt: a throwing listener must not break the client.
  readonly #emitter: MessageCenter<ChatClientEvents> = createMessageCenter<ChatClientEvents>();
  readonly #options: ChatClientOptions;
  readonly #store: ClientStore;
  readonly #outbox: Outbox;
  readonly #liveness: LivenessMonitor;
  readonly #resume: ResumeKeeper;
  /** Everything that differs between v1 and the legacy format. */
  readonly #dialect: Dialect;
  #service: ReWebSocketService | undefined;
  #loading: Promise<void> | undefined;
  #closed = false;
  #status: ChatStatus = 'offline';
  #retryAt: number | undefined;
  #attempt = 0;

  constructor(options: ChatClientOptions) {
    if (typeof options?.url !== 'string' && typeof options?.url !== 'function') {
      throw new TypeError('ChatClient: options.url must be a WebSocket URL or a function returning one');
    }
    if (options.protocol !== undefined && options.protocol !== 'v1' && options.protocol !== 'legacy') {
      throw new TypeError(`ChatClient: protocol must be "v1" or "legacy", got ${JSON.stringify(options.protocol)}`);
    }
    this.#options = options;
    this.#store = options.store ?? memoryStore();
    this.#resume = new ResumeKeeper(this.#store);
    this.#outbox = new Outbox({
      canWrite: () => this.#status === 'online' && this.#service !== undefined,
      transmit: (message) => this.#dialect.transmit(message),
      reachable: (to) => this.#reachable(to),
      self: () => this.#dialect.self,
      update: (message) => this.#emitter.emit('update', message),
      save: (messages) => void this.#store.saveOutbox(messages),
    });
    this.#liveness = new LivenessMonitor(
      options,
      (t) => this.#dialect.ping(t),
      (why) => {
        this.#emitter.emit('error', { code: 'connection', message: why });
        this.reconnect();
      },
    );
    if (options.rooms !== undefined && !Array.isArray(options.rooms)) throw new TypeError('ChatClient: options.rooms must be an array of room names');
    const host: DialectHost = {
      name: this.name,
      rooms: options.rooms,
      history: options.history ?? 50,
      outbox: this.#outbox,
      liveness: this.#liveness,
      resume: this.#resume,
      store: this.#store,
      isOnline: () => this.#status === 'online',
      emit: (type, detail) => this.#emitter.emit(type, detail),
      write: (text) => void this.#service?.send(text),
      ready: () => this.#setStatus('online'),
    };
    this.#dialect = options.protocol === 'legacy' ? new LegacyDialect(host) : new V1Dialect(host);
  }

  /** Listens to the client; returns the function that stops listening. */
  on<K extends keyof ChatClientEvents>(type: K, handler: Handler<ChatClientEvents[K]>): Unsubscribe {
    return this.#emitter.on(type, handler);
  }

  get protocol(): ChatProtocol {
    return this.#options.protocol ?? 'v1';
  }

  get status(): ChatStatus {
    return this.#status;
  }

  get retryAt(): number | undefined {
    return this.#status === 'reconnecting' ? this.#retryAt : undefined;
  }

  /** Who the server says you are (v1, once online). */
  get self(): Peer | undefined {
    return this.#dialect.self;
  }

  get roster(): readonly Peer[] {
    return this.#dialect.roster;
  }

  get count(): number {
    return this.#dialect.count;
  }

  /** The rooms you are in, in order, each with its count and roster (v1; a partial room's roster is its most recently active part). */
  get rooms(): ReadonlyMap<string, RoomState> {
    return this.#v1()?.rooms.states ?? new Map();
  }

  /** Enters `room`; resolves with it as the relay describes it. Rejects with a ChatRequestError (`room_forbidden`, `too_many_rooms`, `timeout`, …). */
  join(room: string): Promise<RoomState> {
    return this.#request((v1) => v1.join(room));
  }

  /** Leaves `room` (resolves also when you were not in it). */
  leave(room: string): Promise<void> {
    return this.#request((v1) => v1.leave(room));
  }

  /** Asks the relay who in `room` has `query` in their name (case-insensitive; everyone when empty), up to `limit` (default 20, at most 100). */
  search(room: string, query: string, limit?: number): Promise<SearchResult> {
    return this.#request((v1) => v1.search(room, query, limit));
  }

  /**
   * Tells the relay these messages were shown to a person (on screen, in a
   * visible tab), so their senders see them as read (PROTOCOL.md section 24).
   * Messages: each as what it is (private, or a broadcast of its room); bare
   * offsets: private messages, or messages of `room`. Gathered for 250 ms and
   * sent in frames of at most 100; your own messages, offsets reported
   * already, and rooms too large to keep read positions are skipped. Nothing
   * in the legacy format.
   */
  markRead(messages: readonly ChatMessage[] | readonly number[], room?: string): void {
    const v1 = this.#v1();
    if (!v1) return;
    const byRoom = new Map<string | undefined, number[]>();
    for (const item of messages) {
      let offset: number | undefined;
      let target = room;
      if (typeof item === 'number') offset = item;
      else if (!item.own && item.offset !== undefined) {
        offset = item.offset;
        target = item.to ? undefined : (room ?? item.room ?? this.rooms.keys().next().value);
      }
      if (offset === undefined) continue;
      const list = byRoom.get(target) ?? [];
      byRoom.set(target, list);
      list.push(offset);
    }
    for (const [target, offsets] of byRoom) v1.markRead(offsets, target);
  }

  /**
   * Who of `room` has read up to its message at `offset` (you not counted):
   * how many, and who, the most recent first (at most 100). Rejects with a
   * ChatRequestError: `room_too_large` (the relay keeps no read positions in
   * rooms above its presence threshold), `not_in_room`, `offline`, `timeout`.
   */
  readers(room: string, offset: number): Promise<ReadersResult> {
    return this.#request((v1) => v1.readers(room, offset));
  }

  /** The page of history before the oldest loaded (oldest first); `more: false` once the relay keeps nothing older. */
  loadOlder(): Promise<HistoryDetail> {
    return this.#request((v1) => v1.loadOlder());
  }

  /**
   * A page of at most `limit` messages (default 50, at most 200) ending
   * before offset `before`, or the latest when it is undefined, without
   * moving `loadOlder()`'s place: for a reader keeping its own (a tab
   * sharing this connection). `next` is where the page before it ends.
   */
  historyPage(before?: number, limit = 50): Promise<HistoryPage> {
    return this.#request((v1) => v1.page(before, limit));
  }

  /**
   * Says that the user is typing in `target` (a room, default your first, or
   * the private conversation with the peer ids `to`), or with `active`
   * false that they stopped (the draft was sent or emptied). Call it on
   * every keystroke: it says so at most every `Typing.repeatMs` per
   * conversation, and a stop only where it had said it was typing. Nothing
   * while offline, in legacy mode, or for a room you are not in.
   */
  typing(target: TypingTarget = {}, active = true): void {
    this.#v1()?.typing(target, active);
  }

  /**
   * Who is typing, by conversation: a room's name, or `@` and the typist's
   * peer id for a private conversation with you (see `conversationKey`).
   * Conversations nobody types in are absent. Empty in legacy mode.
   */
  get typists(): ReadonlyMap<string, readonly Peer[]> {
    return this.#v1()?.typists.all ?? new Map();
  }

  /** The relay's limits from its last welcome (v1), or undefined before the first one. */
  get limits(): Limits | undefined {
    return this.#dialect.limits;
  }

  /** Your messages not yet acknowledged, oldest first. */
  get pending(): ChatMessage[] {
    return this.#outbox.messages;
  }

  get name(): string {
    return this.#options.name ?? '';
  }

  /** The session, epoch and newest processed offset this client would resume from. */
  get resumeState(): ResumeState | undefined {
    return this.#resume.state;
  }

  /**
   * Opens the connection (again); harmless when already open or connecting.
   * The stored outbox and resume state are loaded first.
   */
  connect(): void {
    this.#closed = false;
    this.#loading ??= this.#load();
    void this.#loading.then(() => {
      if (this.#closed) return;
      if (this.#service) this.#service.open();
      else this.#service = this.#createService();
    });
  }

  /** Closes the connection; your pending messages stay in the outbox for the next connect. */
  close(): void {
    this.#closed = true;
    this.#dialect.stop();
    this.#outbox.stop();
    this.#liveness.stop();
    this.#resume.flush();
    this.#service?.close(CloseCode.Normal, CLIENT_CLOSED);
    if (!this.#service) this.#setStatus('offline');
  }

  /** Writes the resume state now (it is otherwise written a moment after it changes): call it when the page is going away. */
  persist(): void {
    this.#resume.flush();
  }

  /** Replaces the connection now, skipping any backoff wait. */
  reconnect(): void {
    if (this.#closed) return;
    if (!this.#service) return this.connect();
    this.#service.reconnect();
  }

  /**
   * Makes sure the link is alive, as after the platform reports that the
   * network came back or the page became visible: reconnects at once when not
   * online, and otherwise pings and replaces the link if nothing answers
   * within `probeTimeout`.
   */
  checkLink(): void {
    if (this.#closed || !this.#service) return;
    if (this.#status !== 'online') {
      if (this.#status === 'reconnecting') this.reconnect();
      return;
    }
    // Running only where there is a heartbeat: not in the legacy format, which has no ping.
    this.#liveness.probe();
  }

  /**
   * Sends `data` to everyone in `room` (default: your first room), or
   * privately to `to`. The message is kept in the outbox until the server
   * acknowledges it, and sent as soon as the client is online. Returns it (state `pending`), or undefined when it is refused
   * here, with an `error` event and nothing sent: `outbox_full` (nothing is
   * dropped), `too_large` (its frame would exceed the relay's
   * `maxFrameBytes`, once a welcome has said what that is) or `bad_field`
   * (`data` cannot be sent as JSON).
   */
  send(data: unknown, to?: Target, room?: string, options?: SendOptions): ChatMessage | undefined {
    const limit = this.#options.maxOutbox ?? 1000;
    const waiting = this.#outbox.size;
    if (waiting >= limit) {
      this.#emitter.emit('error', {
        code: 'outbox_full',
        message: `${waiting} messages are waiting for the server; not accepting more until they are sent`,
      });
      return undefined;
    }
    const from = this.self ?? { id: '', name: this.name, addr: '' };
    const prepared = prepare(data, to, from, this.limits?.maxFrameBytes, room, options);
    if ('error' in prepared) {
      this.#emitter.emit('error', prepared.error);
      return undefined;
    }
    this.#outbox.add(prepared.message);
    return prepared.message;
  }

  /**
   * Takes over messages another client (or an earlier page) left pending:
   * they keep their ids, so the server can tell a resend from a new message,
   * and go out before anything sent since, in order, once online.
   */
  adopt(messages: readonly ChatMessage[]): void {
    this.#outbox.adopt(messages);
  }

  /**
   * Takes one of your messages made elsewhere (by `prepare`, in another tab
   * sharing this connection): it goes after those waiting, unless it waits
   * here already. Unlike `send`, nothing is checked.
   */
  enqueue(message: ChatMessage): void {
    if (!this.#outbox.isPending(message.id)) this.#outbox.add(message);
  }

  #v1(): V1Dialect | undefined {
    return this.#dialect instanceof V1Dialect ? this.#dialect : undefined;
  }

  #request<T>(ask: (v1: V1Dialect) => Promise<T>): Promise<T> {
    const v1 = this.#v1();
    return v1 ? ask(v1) : Promise.reject(new ChatRequestError('unsupported', 'rooms, search and history need protocol v1; the legacy format has none of them'));
  }

  async #load(): Promise<void> {
    this.#dialect.restore();
    this.adopt(await this.#store.loadOutbox());
  }

  /** Whether every target is online now (by id or name; addresses are not known to clients). */
  #reachable(to: Target | undefined): boolean {
    if (!to) return true;
    const ids = new Set(this.roster.map((peer) => peer.id));
    const names = new Set(this.roster.map((peer) => peer.name));
    return (to.ids ?? []).every((id) => ids.has(id)) && (to.names ?? []).every((name) => names.has(name)) && !to.addrs?.length;
  }

  #createService(): ReWebSocketService {
    return new ReWebSocketService(() => this.#resolveUrl(), {
      // Unset ones take the service's defaults.
      protocols: this.#dialect.protocols,
      WebSocket: this.#options.WebSocket,
      connectionTimeout: this.#options.connectionTimeout,
      minReconnectionDelay: this.#options.minReconnectionDelay,
      maxReconnectionDelay: this.#options.maxReconnectionDelay,
      reconnectionDelayGrowFactor: this.#options.reconnectionDelayGrowFactor,
      jitter: this.#options.jitter,
      // The outbox is ours; nothing may wait in the socket's queue.
      maxQueuedMessages: 0,
      openCallback: () => {
        this.#liveness.heard();
        this.#dialect.opened();
      },
      messageCallback: (event) => {
        this.#liveness.heard();
        this.#dialect.receive(String(event.data));
      },
      stateCallback: (change) => this.#onState(change),
      // Refused right after the handshake (a bad token, a full relay): the
      // backoff keeps growing rather than retrying at the shortest delay.
      closeIsFailure: (event) => this.#dialect.refused(event),
      // No retry can change the page's origin.
      shouldReconnect: (event) => event.code !== CloseCode.Forbidden,
      closeCallback: (event) => {
        if (REFUSAL_CLOSE_CODES.has(event.code) && event.reason) {
          this.#emitter.emit('error', { code: event.reason, message: `the relay refused the connection (${event.code} ${event.reason})` });
        }
        // Someone else resumed this session (a copy of this page): start a new one.
        if (event.code === CloseCode.SessionTakenOver) this.#resume.forget();
      },
      errorCallback: (error) => {
        if (error instanceof Error) this.#emitter.emit('error', { code: 'connection', message: error.message });
      },
    });
  }

  async #resolveUrl(): Promise<string> {
    const base = typeof this.#options.url === 'function' ? await this.#options.url() : this.#options.url;
    const url = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
    const { token } = this.#options;
    if (token !== undefined) url.searchParams.set(QueryParam.Token, typeof token === 'function' ? await token() : token);
    this.#dialect.address(url);
    return url.toString();
  }

  #onState(change: ConnectionStateChange): void {
    this.#attempt = change.attempt;
    this.#retryAt = change.retryAt;
    switch (change.state) {
      case 'connecting':
        this.#setStatus('connecting');
        break;
      case 'open':
        // Online once the dialect says the link is ready (v1: at the welcome).
        break;
      case 'reconnecting':
        this.#wentOffline();
        this.#setStatus('reconnecting', true);
        break;
      case 'closed':
        this.#wentOffline();
        this.#setStatus('offline');
        break;
    }
  }

  #wentOffline(): void {
    this.#dialect.offline();
    this.#liveness.stop();
    this.#resume.flush();
    this.#outbox.offline();
  }

  #setStatus(status: ChatStatus, force = false): void {
    if (status === this.#status && !force) return;
    this.#status = status;
    this.#emitter.emit('status', {
      status,
      attempt: this.#attempt,
      ...(status === 'reconnecting' && this.#retryAt !== undefined ? { retryAt: this.#retryAt } : {}),
    });
  }
}
