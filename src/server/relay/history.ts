// `history`: a page of the earlier messages a connection may see (PROTOCOL.md
// §22), read back from the log (in memory, on disk or on Redis), as the same
// message frames live delivery writes.
import type { Logger } from 'pino';
import { DEFAULT_ROOM, ErrorCode } from '../../protocol/constants.js';
import type { HistoryFrame } from '../../protocol/frames.js';
import type { Connection } from '../connection.js';
import type { BackPage, LogEntry, MessageLog } from '../log/message-log.js';
import type { ResolvedOptions } from '../options.js';
import { retentionOf } from '../retention.js';
import type { Delivery } from './delivery.js';
import type { Output } from './output.js';
import { refuseNotInRoom } from './rooms.js';

/** Messages a page holds when the request does not say. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Log entries one request examines at most: a request costs one rate-limit token, whatever it asks for. */
export const HISTORY_MAX_SCAN = 10_000;

/** What history shows of a room's broadcasts: those routed at `since` (ms) or later, with offsets from `from` on. */
interface RoomWindow {
  readonly since: number;
  from: number;
}

export class History {
  constructor(
    private readonly log: MessageLog,
    private readonly delivery: Delivery,
    private readonly output: Output,
    private readonly logger: Logger,
    private readonly options: Pick<ResolvedOptions, 'roomRetention' | 'maxBufferedBytes'>,
  ) {}

  handle(connection: Connection, frame: HistoryFrame): void {
    if (connection.state === 'awaiting-hello') {
      this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id: frame.id });
      return;
    }
    if (frame.room !== undefined && !connection.rooms.includes(frame.room)) {
      refuseNotInRoom(this.output, connection, frame.room, frame.id);
      return;
    }
    this.page(connection, frame).then(
      (text) => this.output.writeText(connection, text),
      (error: unknown) => {
        this.logger.error({ err: error, id: connection.id }, 'history failed');
        this.output.reject(connection, ErrorCode.Internal, 'the server could not read the history', { id: frame.id });
      },
    );
  }

  private async page(connection: Connection, frame: HistoryFrame): Promise<string> {
    // The rooms it is in now: leaving a room leaves its history too.
    const windows = await this.roomWindows(frame.room !== undefined ? [frame.room] : connection.rooms);
    const withPrivate = frame.room === undefined;
    // v1: the session's peer id, the same on every connection that resumed it.
    const self = connection.id;
    // Only a token proves a user: a name is anyone's to claim.
    const user = connection.identity?.userId;
    const visible = (entry: LogEntry): boolean => {
      if (entry.recipients === undefined) {
        const window = windows.get(entry.room ?? DEFAULT_ROOM);
        return window !== undefined && entry.offset >= window.from && entry.ts >= window.since;
      }
      return withPrivate && (entry.from.id === self || entry.recipients.includes(self) || (user !== undefined && entry.users?.includes(user) === true));
    };
    const page = await this.log.readBack(frame.before, {
      visible,
      limit: frame.limit ?? DEFAULT_HISTORY_LIMIT,
      maxScan: HISTORY_MAX_SCAN,
      // One room's history ends where its retention does: nothing older can be shown.
      floor: frame.room !== undefined ? windows.get(frame.room)!.from : 0,
    });
    return this.pageText(connection, frame.id, page);
  }

  /**
   * Each room's window under its retention rule. For the rooms with
   * `maxMessages`, one scan back from the head finds where their newest
   * messages begin; when the scan's bound comes first, what lies beyond it
   * is not shown (it cannot be told to be among the newest).
   */
  private async roomWindows(rooms: readonly string[]): Promise<Map<string, RoomWindow>> {
    const now = Date.now();
    const windows = new Map<string, RoomWindow>();
    const counts = new Map<string, { readonly max: number; seen: number; from: number }>();
    let wanted = 0;
    for (const room of rooms) {
      const rule = retentionOf(this.options.roomRetention, room);
      windows.set(room, { since: rule?.maxAge !== undefined ? now - rule.maxAge : -Infinity, from: 0 });
      if (rule?.maxMessages !== undefined) {
        counts.set(room, { max: rule.maxMessages, seen: 0, from: 0 });
        wanted += rule.maxMessages;
      }
    }
    if (counts.size === 0) return windows;
    const scan = await this.log.readBack(undefined, {
      // Each room counts its own until it has them all; the scan ends when every room has.
      visible: (entry) => {
        if (entry.recipients !== undefined) return false;
        const count = counts.get(entry.room ?? DEFAULT_ROOM);
        if (!count || count.seen >= count.max) return false;
        count.seen++;
        count.from = entry.offset;
        return true;
      },
      limit: wanted,
      maxScan: HISTORY_MAX_SCAN,
    });
    for (const [room, count] of counts) {
      if (count.seen >= count.max) windows.get(room)!.from = count.from;
      else if (scan.more) windows.get(room)!.from = scan.before ?? 0;
    }
    return windows;
  }

  /**
   * The `page` frame, as text. One frame is written at once: it is kept under
   * half the connection's buffer bound, or a page of large messages would cut
   * its client off as a slow consumer. Messages that do not fit (the oldest)
   * are left for the next page, which then begins after the last one sent.
   */
  private pageText(connection: Connection, id: string, page: BackPage): string {
    const budget = this.options.maxBufferedBytes / 2;
    const texts: string[] = [];
    let bytes = 0;
    let { more, before } = page;
    for (let index = page.entries.length - 1; index >= 0; index--) {
      const text = this.delivery.messageText(page.entries[index]!, connection.codec, false);
      bytes += Buffer.byteLength(text);
      if (texts.length > 0 && bytes > budget) {
        more = true;
        before = page.entries[index + 1]!.offset;
        break;
      }
      texts.push(text);
    }
    texts.reverse();
    // `before` says where the next request goes on from: without `more` there is none.
    const next = more && before !== undefined ? `,"before":${before}` : '';
    return `{"type":"page","id":${JSON.stringify(id)},"messages":[${texts.join(',')}],"more":${more}${next}}`;
  }
}
