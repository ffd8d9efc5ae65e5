// Frames coming in: paced by each session's token bucket without reordering
// (a frame that must wait pauses the socket, and those behind it wait too),
// checked for size and kind, decoded in the connection's dialect, and handed
// on in the order they were sent.
import type { Logger } from 'pino';
import type { RawData } from 'ws';
import { CloseCode, CloseReason, ErrorCode } from '../../protocol/constants.js';
import type { Connection } from '../connection.js';
import type { Command } from '../dialect.js';
import type { ResolvedOptions } from '../options.js';
import type { Output } from './output.js';

/**
 * Frames a connection may have waiting. Its socket is paused while any wait,
 * so only what the socket had already read comes in meanwhile: at most one
 * read (64 KiB), under 3,200 of the smallest valid frames. More is a client
 * sending empty frames by the thousand.
 */
const MAX_INBOX_FRAMES = 4096;

/** Handles a decoded frame; `size`: its length in the log's byte count. */
export type CommandHandler = (connection: Connection, command: Command, size: number) => void;

export class Intake {
  constructor(
    private readonly options: Pick<ResolvedOptions, 'maxFrameBytes'>,
    private readonly output: Output,
    private readonly logger: Logger,
    private readonly handle: CommandHandler,
  ) {}

  /** A frame read from the socket. */
  receive(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.closed || connection.replaced) return;
    connection.alive = true;
    if (connection.inbox) {
      // Read before the pause took effect (the rest of a chunk the socket had read): it waits its turn.
      if (connection.inbox.length >= MAX_INBOX_FRAMES) {
        connection.end(CloseCode.PolicyViolation, CloseReason.Flood);
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
   * Handles waiting frames while tokens last; reads from the socket again
   * once none is left. Stops while a resuming client waits for its welcome
   * (a hello among them may start that), or its rooms are being authorised.
   */
  drain(connection: Connection): void {
    clearTimeout(connection.inboxTimer);
    connection.inboxTimer = undefined;
    const inbox = connection.inbox;
    if (!inbox || connection.closed || connection.replaced) return;
    while (inbox.length > 0 && !connection.held && !connection.authorising) {
      const wait = connection.bucket.take();
      if (wait > 0) {
        this.wakeInbox(connection, wait);
        return;
      }
      const frame = inbox.shift()!;
      this.handleFrame(connection, frame.data, frame.isBinary);
      if (connection.closed || connection.replaced || connection.inbox !== inbox) return;
    }
    if (inbox.length > 0 || connection.held || connection.authorising) return;
    connection.inbox = undefined;
    connection.socket.resume();
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
    connection.inboxTimer = setTimeout(() => this.drain(connection), wait);
    connection.inboxTimer.unref();
  }

  /** Steps 4 to 7 of PROTOCOL.md §2.4, for a frame that has its token. */
  private handleFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    const bytes = data as Buffer;
    if (isBinary) {
      this.output.reject(connection, ErrorCode.BadFrame, 'binary frames are not part of the protocol; send JSON text');
      return;
    }
    if (bytes.length > this.options.maxFrameBytes) {
      this.output.reject(connection, ErrorCode.TooLarge, `frame of ${bytes.length} bytes exceeds maxFrameBytes (${this.options.maxFrameBytes})`, {
        id: sniffId(bytes),
      });
      return;
    }
    const text = bytes.toString('utf8');
    try {
      const decoded = connection.codec.decode(text);
      if (!decoded.ok) {
        this.output.reject(connection, decoded.code, decoded.message, { id: decoded.id });
        return;
      }
      this.handle(connection, decoded.frame, text.length);
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'frame handler failed');
      this.output.reject(connection, ErrorCode.Internal, 'the server could not handle this frame');
    }
  }
}

/**
 * The `"id"` of a frame we will not parse (too big, rate limited), if it comes
 * early and before `"data"` (so an id inside the payload is not mistaken for it).
 */
export function sniffId(bytes: Buffer): string | undefined {
  let head = bytes.subarray(0, 256).toString('utf8');
  const data = head.indexOf('"data"');
  if (data >= 0) head = head.slice(0, data);
  const match = /"id"\s*:\s*"([^"\\]{1,64})"/.exec(head);
  return match?.[1];
}
