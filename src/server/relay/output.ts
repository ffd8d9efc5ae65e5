// What the relay writes to its clients, and when it stops: frames in each
// connection's dialect, errors counted towards flooding, and slow consumers
// cut off before their backlog grows without bound.
import type { Logger } from 'pino';
import { CloseCode, CloseReason, DEFAULT_ROOM, ErrorCode } from '../../protocol/constants.js';
import type { ErrorFrame, ServerFrame, Target } from '../../protocol/frames.js';
import { WriteCoalescer, type Connection } from '../connection.js';
import type { ServerDialect } from '../dialect.js';
import type { ResolvedOptions } from '../options.js';
import type { Presence } from '../presence.js';
import { textFrame } from '../ws-frame.js';

/** ms a client may have more than maxBufferedBytes unread before it counts as a slow consumer. */
const SLOW_CONSUMER_GRACE_MS = 2000;

export class Output {
  /** Corks each socket for the rest of the event-loop turn, so a burst leaves in one write. */
  readonly coalescer = new WriteCoalescer();

  constructor(
    private readonly options: Pick<ResolvedOptions, 'maxBufferedBytes' | 'floodThreshold' | 'heartbeatInterval'>,
    private readonly logger: Logger,
    /** For the default room's count, which legacy frames carry. */
    private readonly presence: Presence,
  ) {}

  /**
   * Writes, unless the client has too much unread: more than maxBufferedBytes
   * for longer than a moment (a healthy client takes a big burst within it),
   * or four times that at all. Then it is cut off.
   */
  write(connection: Connection, frame: Buffer): boolean {
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

  cutOff(connection: Connection): void {
    if (connection.cut) return;
    connection.cut = true;
    this.logger.warn(
      { id: connection.id, addr: connection.addr, backlog: connection.backlog, limit: this.options.maxBufferedBytes },
      'slow consumer cut off',
    );
    // A close handshake cannot get through a full buffer: drop the socket.
    connection.socket.terminate();
  }

  /**
   * Waits until the socket has taken what was written so far; cuts the client
   * off (and returns false) when it does not read it within a heartbeat interval.
   */
  async drained(connection: Connection): Promise<boolean> {
    this.coalescer.flush();
    if (connection.socket.bufferedAmount <= this.options.maxBufferedBytes / 2) return true;
    const drained = await connection.drain(this.options.heartbeatInterval);
    if (!drained && !connection.closed) this.cutOff(connection);
    return drained && !connection.closed;
  }

  /** `frame` as a WebSocket frame in `codec`'s format; undefined when the dialect has no such frame. */
  encode(codec: ServerDialect, frame: ServerFrame): Buffer | undefined {
    // The count legacy frames carry: legacy clients are all in the default room, and see only it.
    const text = codec.encode(frame, this.presence.roomCount(DEFAULT_ROOM));
    return text === undefined ? undefined : textFrame(text);
  }

  /** Writes JSON text the caller made in the connection's dialect. */
  writeText(connection: Connection, text: string): void {
    this.write(connection, textFrame(text));
  }

  /** Writes `frame` in the connection's dialect, if it has such a frame (a legacy client has no welcome, ack or receipt). */
  writeFrame(connection: Connection, frame: ServerFrame): void {
    const encoded = this.encode(connection.codec, frame);
    if (encoded) this.write(connection, encoded);
  }

  /**
   * Writes `frame` to each of `connections` (but those `skip` says), encoded
   * once per dialect for all of them. The set is copied first: a write that
   * cuts a slow client off changes the caller's sets.
   */
  writeEach(connections: Iterable<Connection>, frame: ServerFrame, skip?: (connection: Connection) => boolean): void {
    const frames: Array<Buffer | undefined> = [];
    for (const connection of [...connections]) {
      if (skip?.(connection)) continue;
      const encoded = (frames[connection.codec.slot] ??= this.encode(connection.codec, frame));
      if (encoded) this.write(connection, encoded);
    }
  }

  /** Tells the client its frame was refused, and why; too many refusals in a second close it for flooding. */
  reject(
    connection: Connection,
    code: ErrorFrame['code'],
    message: string,
    extra: { id?: string | undefined; targets?: Target; retryAfter?: number; room?: string } = {},
  ): void {
    // Not routing is the relay's failing, not the client's: it does not count as flooding.
    if (code !== ErrorCode.Unavailable && this.countRejection(connection)) return;
    // A legacy client gets it as a message from no one, with `data.error` (its format has no error frame).
    this.writeFrame(connection, {
      type: 'error',
      code,
      message,
      ...(extra.id !== undefined ? { id: extra.id } : {}),
      ...(extra.targets ? { targets: extra.targets } : {}),
      ...(extra.retryAfter !== undefined ? { retryAfter: extra.retryAfter } : {}),
      ...(extra.room !== undefined ? { room: extra.room } : {}),
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
        connection.end(CloseCode.PolicyViolation, CloseReason.Flood);
      }
      return true;
    }
    return false;
  }
}
