import ReconnectingWebSocket from 'reconnecting-websocket';
import { CloseCode } from '../protocol/constants.js';
import { type BackoffOptions, retryDelay, validateBackoff, withBackoffDefaults } from './backoff.js';

/**
 * A reconnecting-websocket socket, as a type every consumer can resolve: that
 * package is CommonJS with an ES-style declaration file, so TypeScript under
 * `moduleResolution: node16` reads its default import as the module itself,
 * whose `default` is the class (our .d.ts files name this type, not the import).
 */
type ReconnectingSocket = InstanceType<(typeof import('reconnecting-websocket'))['default']>;

/**
 * - `connecting`: the first attempt is under way.
 * - `open`: the socket is open.
 * - `reconnecting`: the socket was lost or an attempt failed; the next
 *   attempt starts at `retryAt`.
 * - `closed`: `close()` was called, `maxRetries` ran out, or
 *   `shouldReconnect` said no. `open()` starts again.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStateChange {
  readonly state: ConnectionState;
  readonly previous: ConnectionState;
  /** Failed attempts since the socket was last open (0 while open). */
  readonly attempt: number;
  /** While reconnecting: when the next attempt starts (ms since the epoch). */
  readonly retryAt?: number;
  /** The close that caused this change, when there was one. */
  readonly closeEvent?: CloseLike;
}

/** A URL, or a function giving one (called before every attempt, so it can add a fresh token). */
export type UrlProvider = string | (() => string | Promise<string>);

/** What a close notification carries, in the browser and in Node alike. */
export interface CloseLike {
  readonly code: number;
  readonly reason: string;
  readonly wasClean?: boolean;
}

export type SendResult = 'sent' | 'queued' | 'rejected';

/** Any WebSocket constructor: the browser's, or `ws`'s in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

export interface ReWebSocketServiceOptions extends Partial<BackoffOptions> {
  /** The socket opened (every time, including after a reconnect). */
  openCallback?: (event: Event) => void;
  /** A message arrived. */
  messageCallback?: (event: MessageEvent) => void;
  /** The socket reported an error, an attempt failed, or the URL provider threw. */
  errorCallback?: (error: Event | Error) => void;
  /** The socket closed (every time, including before a reconnect). */
  closeCallback?: (event: CloseLike) => void;
  /** The connection state changed. */
  stateCallback?: (change: ConnectionStateChange) => void;
  /** Subprotocols to offer; the one the server picked is `service.protocol`. */
  protocols?: string | string[];
  /** The WebSocket class, for Node (`import { WebSocket } from 'ws'`). Defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  /** An attempt that has not opened after this many ms is abandoned. Default 4000. */
  connectionTimeout?: number;
  /** Give up (state `closed`) after this many failed attempts in a row. Default: never. */
  maxRetries?: number;
  /** Messages `send()` holds while not open, flushed in order after `openCallback`. Default 100. */
  maxQueuedMessages?: number;
  /** Do not connect until `open()` is called. */
  startClosed?: boolean;
  /**
   * Decides after each close whether to try again. Return false for closes
   * that retrying cannot fix. Default: always retry.
   */
  shouldReconnect?: (event: CloseLike) => boolean;
  /**
   * Decides after each close of a socket that had opened whether it counts
   * as a failed attempt all the same (the server refused it right after the
   * handshake), so the delay before the next one keeps growing instead of
   * starting over. Default: never.
   */
  closeIsFailure?: (event: CloseLike) => boolean;
}

interface Attempt {
  readonly socket: ReconnectingSocket;
  readonly generation: number;
}

const WATCHDOG_SLACK_MS = 1000;
/** Returned to reconnecting-websocket for an attempt that was superseded; it never dials it. */
const ABANDONED_URL = 'ws://abandoned.invalid/';

/**
 * A WebSocket that reconnects, over reconnecting-websocket, with the
 * callback API of the original `ReWebSocketService` wrapper and what that
 * wrapper lacked: an explicit connection state, jitter drawn per attempt, a
 * bounded send queue that says when it is full, and a watchdog that replaces a
 * connection stuck in CONNECTING (a URL provider that throws or hangs, a
 * `close()` during an attempt).
 */
export class ReWebSocketService {
  readonly #url: UrlProvider;
  readonly #options: ReWebSocketServiceOptions;
  readonly #backoff: BackoffOptions;
  readonly #WebSocketClass: WebSocketConstructor;
  readonly #queue: string[] = [];
  readonly #stateListeners = new Set<(change: ConnectionStateChange) => void>();
  #current: Attempt | undefined;
  #generation = 0;
  #stateValue: ConnectionState = 'closed';
  #failures = 0;
  /** Failed attempts before the socket last opened: where the count resumes when that socket turns out refused. */
  #failuresBeforeOpen = 0;
  #retryAtValue: number | undefined;
  /** When the attempt in progress must have opened or failed by. */
  #deadline = Number.POSITIVE_INFINITY;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #wakeUp: (() => void) | undefined;

  constructor(url: UrlProvider, options: ReWebSocketServiceOptions = {}) {
    if (typeof url !== 'string' && typeof url !== 'function') {
      throw new TypeError(`ReWebSocketService: url must be a string or a function returning one, got ${typeof url}`);
    }
    this.#url = url;
    this.#options = options;
    this.#backoff = withBackoffDefaults(options);
    validateBackoff(this.#backoff);
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof WebSocketClass !== 'function') {
      throw new TypeError("ReWebSocketService: no WebSocket class here; pass options.WebSocket (in Node: import { WebSocket } from 'ws')");
    }
    this.#WebSocketClass = WebSocketClass;
    if (!options.startClosed) this.open();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.#stateValue;
  }

  /** While reconnecting, when the next attempt starts (ms since the epoch). */
  get retryAt(): number | undefined {
    return this.#stateValue === 'reconnecting' ? this.#retryAtValue : undefined;
  }

  /** Failed attempts since the socket was last open. */
  get attempt(): number {
    return this.#failures;
  }

  /**
   * The underlying reconnecting-websocket, as the original wrapper exposed it.
   * It is replaced when the watchdog, `reconnect()` or `open()` starts over,
   * so read it when you need it rather than keeping it.
   */
  get websocket(): ReconnectingSocket | undefined {
    return this.#current?.socket;
  }

  /** The subprotocol the server selected ('' before it has). */
  get protocol(): string {
    return this.#current?.socket.protocol ?? '';
  }

  /** How many messages wait for the socket to open. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onStateChange(listener: (change: ConnectionStateChange) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /**
   * Sends now when open; otherwise queues (up to `maxQueuedMessages`) and
   * sends after the next `openCallback`. Returns 'rejected', and reports a
   * RangeError to `errorCallback`, when the queue is full or the service is
   * closed: nothing is dropped silently.
   */
  send(data: string): SendResult {
    const socket = this.#current?.socket;
    if (this.#stateValue === 'open' && socket && socket.readyState === ReconnectingWebSocket.OPEN) {
      socket.send(data);
      return 'sent';
    }
    const limit = this.#options.maxQueuedMessages ?? 100;
    if (this.#stateValue === 'closed' || this.#queue.length >= limit) {
      const why = this.#stateValue === 'closed' ? 'the service is closed' : `the send queue is full (${limit} messages)`;
      this.#options.errorCallback?.(new RangeError(`ReWebSocketService: message not sent: ${why}`));
      return 'rejected';
    }
    this.#queue.push(data);
    return 'queued';
  }

  /** Connects if closed. Harmless when already connecting or open. */
  open(): void {
    if (this.#stateValue !== 'closed') return;
    this.#failures = 0;
    this.#start('connecting');
  }

  /** Drops the current socket or attempt and connects again right away. */
  reconnect(): void {
    this.#failures = 0;
    this.#start(this.#stateValue === 'open' || this.#stateValue === 'reconnecting' ? 'reconnecting' : 'connecting');
  }

  /** Closes for good (until `open()`); queued messages are kept for the next open. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    this.#dispose(code, reason);
    this.#setState('closed');
  }

  #start(state: ConnectionState, retryAt = Date.now()): void {
    this.#dispose(CloseCode.Normal, 'reconnect');
    const generation = ++this.#generation;
    this.#retryAtValue = retryAt;
    this.#armDeadline(retryAt);
    const socket = new ReconnectingWebSocket(() => this.#nextUrl(generation), this.#options.protocols, {
      WebSocket: this.#WebSocketClass,
      // Delays are ours (drawn per attempt in nextUrl); the library's are off.
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      reconnectionDelayGrowFactor: 1,
      connectionTimeout: this.#connectionTimeout,
      maxRetries: Number.POSITIVE_INFINITY,
      // The library's queue sends before onopen and drops silently; ours is used instead.
      maxEnqueuedMessages: 0,
    });
    this.#current = { socket, generation };
    socket.onopen = (event) => {
      if (this.#isCurrent(generation)) this.#handleOpen(event as unknown as Event);
    };
    socket.onmessage = (event) => {
      if (this.#isCurrent(generation)) this.#options.messageCallback?.(event);
    };
    socket.onerror = (event) => {
      if (this.#isCurrent(generation)) this.#options.errorCallback?.(event as unknown as Event);
    };
    socket.onclose = (event) => {
      if (this.#isCurrent(generation)) this.#handleClose(event);
    };
    this.#setState(state, undefined, state === 'reconnecting');
    this.#startWatchdog();
  }

  get #connectionTimeout(): number {
    return this.#options.connectionTimeout ?? 4000;
  }

  /** An attempt starting at `from` must have opened or failed by the deadline this sets. */
  #armDeadline(from: number): void {
    // The URL provider and the socket each get a connection timeout.
    this.#deadline = from + 2 * this.#connectionTimeout + WATCHDOG_SLACK_MS;
  }

  #isCurrent(generation: number): boolean {
    return this.#current?.generation === generation;
  }

  /**
   * reconnecting-websocket calls this before every attempt. The wait before
   * a retry happens here, so each attempt draws its own jitter, and a URL
   * provider that throws is retried here instead of leaving the library
   * stuck with its connect lock held.
   */
  async #nextUrl(generation: number): Promise<string> {
    for (;;) {
      await this.#sleepUntilRetry();
      if (!this.#isCurrent(generation)) return ABANDONED_URL;
      this.#armDeadline(Date.now());
      try {
        const url = typeof this.#url === 'function' ? await this.#url() : this.#url;
        if (typeof url !== 'string' || url === '') throw new TypeError(`the URL provider returned ${JSON.stringify(url)}`);
        return url;
      } catch (error) {
        if (!this.#isCurrent(generation)) return ABANDONED_URL;
        this.#options.errorCallback?.(error instanceof Error ? error : new Error(String(error)));
        if (!this.#scheduleRetry()) return ABANDONED_URL;
      }
    }
  }

  /** Waits for retryAt; dispose() cuts the wait short. */
  #sleepUntilRetry(): Promise<void> {
    const wait = (this.#retryAtValue ?? 0) - Date.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = undefined;
        resolve();
      }, wait);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #handleOpen(event: Event): void {
    this.#failuresBeforeOpen = this.#failures;
    this.#failures = 0;
    this.#deadline = Number.POSITIVE_INFINITY;
    this.#stopWatchdog();
    this.#setState('open');
    this.#options.openCallback?.(event);
    // After openCallback, so a handshake it sends goes out first.
    while (this.#queue.length > 0 && this.#stateValue === 'open') {
      const socket = this.#current?.socket;
      if (!socket || socket.readyState !== ReconnectingWebSocket.OPEN) break;
      socket.send(this.#queue.shift()!);
    }
  }

  #handleClose(event: CloseLike): void {
    const closeEvent = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    this.#options.closeCallback?.(closeEvent);
    if (this.#stateValue === 'closed') return;
    if (this.#stateValue === 'open' && this.#options.closeIsFailure?.(closeEvent)) this.#failures = this.#failuresBeforeOpen;
    if (this.#options.shouldReconnect && !this.#options.shouldReconnect(closeEvent)) {
      this.#dispose(CloseCode.Normal, '');
      this.#setState('closed', closeEvent);
      return;
    }
    this.#scheduleRetry(closeEvent);
  }

  /** Counts a failed attempt and sets when the next starts; false when retries ran out. */
  #scheduleRetry(closeEvent?: CloseLike): boolean {
    this.#failures += 1;
    if (this.#failures > (this.#options.maxRetries ?? Number.POSITIVE_INFINITY)) {
      this.#dispose(CloseCode.Normal, '');
      this.#setState('closed', closeEvent);
      return false;
    }
    this.#retryAtValue = Date.now() + retryDelay(this.#failures, this.#backoff);
    this.#armDeadline(this.#retryAtValue);
    this.#setState('reconnecting', closeEvent, true);
    this.#startWatchdog();
    return true;
  }

  #dispose(code: number, reason: string): void {
    const attempt = this.#current;
    this.#current = undefined;
    this.#deadline = Number.POSITIVE_INFINITY;
    this.#stopWatchdog();
    this.#wakeUp?.();
    this.#wakeUp = undefined;
    if (!attempt) return;
    const { socket } = attempt;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    socket.close(code, reason);
  }

  #startWatchdog(): void {
    if (this.#watchdog !== undefined) return;
    const interval = Math.max(250, Math.min(1000, this.#connectionTimeout / 4));
    this.#watchdog = setInterval(() => this.#checkStuck(), interval);
    (this.#watchdog as { unref?: () => void }).unref?.();
  }

  #stopWatchdog(): void {
    if (this.#watchdog === undefined) return;
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  /**
   * An attempt that neither opened nor failed by its deadline is stuck (the
   * URL provider hangs, or the library holds its connect lock): start over
   * with a fresh socket, counting it as a failed attempt.
   */
  #checkStuck(): void {
    if (this.#stateValue !== 'connecting' && this.#stateValue !== 'reconnecting') return;
    if (Date.now() <= this.#deadline) return;
    this.#options.errorCallback?.(new Error('ReWebSocketService: connection attempt stuck; starting over'));
    this.#failures += 1;
    if (this.#failures > (this.#options.maxRetries ?? Number.POSITIVE_INFINITY)) {
      this.close();
      return;
    }
    this.#start('reconnecting', Date.now() + retryDelay(this.#failures, this.#backoff));
  }

  #setState(state: ConnectionState, closeEvent?: CloseLike, force = false): void {
    const previous = this.#stateValue;
    if (previous === state && !force) return;
    this.#stateValue = state;
    const change: ConnectionStateChange = {
      state,
      previous,
      attempt: this.#failures,
      ...(state === 'reconnecting' ? { retryAt: this.#retryAtValue } : {}),
      ...(closeEvent ? { closeEvent } : {}),
    };
    this.#options.stateCallback?.(change);
    for (const listener of [...this.#stateListeners]) listener(change);
  }
}
