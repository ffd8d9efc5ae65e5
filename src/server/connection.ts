import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { DEFAULT_ROOM } from '../protocol/constants.js';
import type { Peer } from '../protocol/frames.js';
import type { Identity } from './auth.js';
import type { LogEntry } from './log/message-log.js';
import type { Session } from './sessions.js';
import { TokenBucket } from '../protocol/token-bucket.js';
import { DIALECTS, type Dialect, type ServerDialect } from './dialect.js';

export type { Dialect } from './dialect.js';

/**
 * Where a connection is in its life. It only moves forward (setState), in
 * this order:
 * - `awaiting-hello`: v1, between the upgrade and `hello`;
 * - `welcoming`: v1, hello received, its welcome not sent yet (a resuming
 *   client's waits for the log to be read);
 * - `online`: welcomed and in the roster, messages are delivered to it (a
 *   legacy connection starts here);
 * - `closed`: its socket closed.
 * Whether it was taken over (`replaced`), cut off (`cut`) or answers pings
 * (`alive`) can be true in more than one of these, so they are not states.
 */
export type ConnectionState = 'awaiting-hello' | 'welcoming' | 'online' | 'closed';

const ORDER: Record<ConnectionState, number> = { 'awaiting-hello': 0, welcoming: 1, online: 2, closed: 3 };

/**
 * One client socket and what the relay knows about it. Writes made in one
 * event-loop turn are corked and leave in one system call at the end of the
 * turn (see WriteCoalescer), without Nagle's delay.
 */
export class Connection {
  /** Public id: the session's peer id for v1 (restored when a session resumes), the connection's own for legacy. */
  id: string;
  name: string;
  readonly addr: string;
  /** How it reads and writes frames, and the rules its dialect keeps: chosen once, from its subprotocol. */
  readonly codec: ServerDialect;
  /** With authentication: who its token says it is (its name comes from here, never from the client). */
  identity: Identity | undefined;
  /** The rooms it is in, in the order it asked for them: a broadcast without a room goes to the first. */
  rooms: string[] = [DEFAULT_ROOM];
  /**
   * The rooms its presence has been told in so far: the rooms of its last
   * presence event that came back from the cluster (they come in order, so
   * what changed since is told once, in the order it happened).
   */
  toldRooms: readonly string[] = [];
  /** v1, after hello: the session this connection carries. */
  session: Session | undefined;
  /**
   * While a resuming client is being replayed what it missed: live messages
   * for it wait here, so none overtakes the replay or arrives twice.
   */
  held: LogEntry[] | undefined;
  /** See ConnectionState; changed by setState only. */
  state: ConnectionState;
  /** Another connection resumed this one's session: its end is not a departure. */
  replaced = false;
  /** Since when more than maxBufferedBytes have waited for this client (undefined: not now). */
  overSince: number | undefined;
  /** Cut off as a slow consumer: nothing more is written to it. */
  cut = false;
  /**
   * Frames read but not handled yet, in order: they wait for a rate-limit
   * token, or for the welcome of a resuming hello. While there are any, the
   * socket is paused, so the client's further frames wait in its own buffers.
   */
  inbox: Array<{ data: RawData; isBinary: boolean }> | undefined;
  /** Wakes the inbox when the next token is due. */
  inboxTimer: NodeJS.Timeout | undefined;
  /**
   * The send last refused with `unavailable`, while the connection's later
   * sends are refused until it comes back (so none overtakes it), and until
   * when that lasts.
   */
  orderHold: { id: string; until: number } | undefined;
  /** The `authorize` hook is deciding on rooms it asked for: its further frames wait in `inbox`. */
  authorising = false;
  /** Answered the last ws ping. */
  alive = true;
  readonly connectedAt = Date.now();
  /** Its own until `hello`; then its session's, which outlives it (PROTOCOL.md §13.2). */
  bucket: TokenBucket;
  /** Rejected frames in the current one-second window, for flood detection. */
  rejected = 0;
  rejectedWindow = 0;
  /** Bytes written this turn, still corked (not yet handed to the kernel). */
  corkedBytes = 0;
  helloTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly raw: Duplex,
    init: { id: string; name: string; addr: string; dialect: Dialect; rate: number; burst: number },
  ) {
    this.id = init.id;
    this.name = init.name;
    this.addr = init.addr;
    this.codec = DIALECTS[init.dialect];
    this.state = this.codec.greets ? 'awaiting-hello' : 'online';
    this.bucket = new TokenBucket(init.rate, init.burst);
  }

  get dialect(): Dialect {
    return this.codec.name;
  }

  /** Moves to `next` if that is forward (see ConnectionState); returns whether it moved. */
  setState(next: ConnectionState): boolean {
    if (ORDER[next] <= ORDER[this.state]) return false;
    this.state = next;
    return true;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  private peerCache: Peer | undefined;

  /** Who this is, as frames show it: one object, shared by every message it sends while its identity holds. */
  get peer(): Peer {
    const cached = this.peerCache;
    if (cached && cached.id === this.id && cached.name === this.name && cached.addr === this.addr) return cached;
    return (this.peerCache = { id: this.id, name: this.name, addr: this.addr });
  }

  /** Bytes queued for this client that the kernel has not taken yet, excluding this turn's corked writes. */
  get backlog(): number {
    return this.socket.bufferedAmount - this.corkedBytes;
  }

  /**
   * Writes a complete WebSocket frame (see `textFrame`), encoded once for
   * every recipient, straight to the socket rather than through `ws`'s
   * `send()`, which would frame it again per socket; false if the socket is
   * closing. Frames `ws` writes itself (pongs, pings, a close) go into the
   * same corked socket, so they keep their order with these.
   */
  write(frame: Buffer, coalescer: WriteCoalescer): boolean {
    if (this.closed || this.socket.readyState !== 1) return false;
    coalescer.cork(this);
    this.corkedBytes += frame.length;
    this.raw.write(frame);
    return true;
  }

  /** Resolves true once the socket has handed its buffered bytes to the kernel, false after `timeout` ms or if it closes. */
  drain(timeout: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (!this.raw.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        clearTimeout(timer);
        this.raw.off('drain', onDrain);
        this.raw.off('close', onClose);
        resolve(drained);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), timeout);
      this.raw.once('drain', onDrain);
      this.raw.once('close', onClose);
    });
  }

  /**
   * Closes it with `code`. Frames it has waiting are dropped (its client sends
   * again what was not acknowledged), and its socket is read again, or the
   * client's answer to the close would never be read.
   */
  end(code: number, reason: string): void {
    clearTimeout(this.inboxTimer);
    if (this.inbox) {
      this.inbox = undefined;
      this.socket.resume();
    }
    this.socket.close(code, reason);
  }

  corkRaw(): void {
    this.raw.cork();
  }

  uncorkRaw(): void {
    this.corkedBytes = 0;
    this.raw.uncork();
  }
}

/**
 * Corks each socket on its first write in an event-loop turn and uncorks all
 * of them once the turn's I/O callbacks have run (setImmediate), so the
 * frames a burst produces for one client go out in one writev.
 */
export class WriteCoalescer {
  private readonly corked = new Set<Connection>();
  private scheduled = false;

  cork(connection: Connection): void {
    if (this.corked.has(connection)) return;
    this.corked.add(connection);
    connection.corkRaw();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    for (const connection of this.corked) connection.uncorkRaw();
    this.corked.clear();
  };
}
