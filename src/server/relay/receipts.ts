// Read receipts (PROTOCOL.md section 24): `read` of private messages tells
// their senders, wherever in the cluster they are; `read` of a room moves the
// member's read position, and `readers` counts who is at or past a message.
import type { Logger } from 'pino';
import { ErrorCode, FieldLimits } from '../../protocol/constants.js';
import type { Peer, ReadersFrame, ReadFrame } from '../../protocol/frames.js';
import type { Connection } from '../connection.js';
import type { LogEntry } from '../log/message-log.js';
import type { Presence } from '../presence.js';
import type { ReadPositions } from '../read-positions.js';
import { owe, RECEIPT_SLOTS, type Session } from '../sessions.js';
import type { Output } from './output.js';
import { refuseNotInRoom } from './rooms.js';
import type { Signals } from './signals.js';

/** Private messages a session remembers for their read receipt; the oldest are forgotten beyond it. */
export const MAX_UNREAD = 1000;

export class Receipts {
  constructor(
    private readonly presence: Presence,
    private readonly signals: Signals,
    private readonly output: Output,
    private readonly reads: ReadPositions,
    private readonly logger: Logger,
    private readonly options: { readonly presenceThreshold: number },
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
    /** The newest offset the log has handed out (on this node): nobody has read past it. */
    private readonly head: () => number,
  ) {}

  /** A private message from a v1 sender was written to `session`'s client: its sender may learn it was read. */
  expectRead(entry: LogEntry, session: Session): void {
    // The latest MAX_UNREAD, trimmed a tenth at a time.
    owe(session.unread, entry, MAX_UNREAD * 1.1, MAX_UNREAD);
  }

  read(connection: Connection, frame: ReadFrame): void {
    if (connection.state === 'awaiting-hello') {
      this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first');
      return;
    }
    if (frame.room === undefined) this.readPrivate(connection, frame.offsets);
    else this.readRoom(connection, frame.room, frame.offsets);
  }

  readers(connection: Connection, frame: ReadersFrame): void {
    const { id, room, offset } = frame;
    // Positions are kept as others see the members (addresses hidden when they are), so answers need no copy.
    if (connection.state === 'awaiting-hello') {
      this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id });
      return;
    }
    if (!this.admits(connection, room, id)) return;
    this.reads.readers(room, offset, memberKey(connection), FieldLimits.maxWhoLimit).then(
      ({ count, peers }) => {
        if (connection.state === 'closed') return;
        this.output.writeFrame(connection, { type: 'readers', id, room, offset, count, peers });
      },
      (error: unknown) => {
        this.logger.error({ err: error, id: connection.id, room }, 'read positions unreachable');
        if (connection.state !== 'closed') this.output.reject(connection, ErrorCode.Unavailable, 'read positions are unreachable; ask again later', { id, room });
      },
    );
  }

  /** Each offset the session is owed a receipt for: its sender is told, once. */
  private readPrivate(connection: Connection, offsets: readonly number[]): void {
    const unread = connection.session?.unread;
    if (!unread || unread.length === 0) return;
    const by = this.exposed(connection.peer);
    for (const offset of new Set(offsets)) {
      const at = find(unread, offset);
      if (at < 0) continue;
      const id = unread[at + 1] as string;
      const sender = unread[at + 2] as string;
      unread.splice(at, RECEIPT_SLOTS);
      this.signals.toPeer(sender, { type: 'read', id, offset, by });
    }
  }

  private readRoom(connection: Connection, room: string, offsets: readonly number[]): void {
    if (!this.admits(connection, room, undefined)) return;
    // A position past the head would count its member as a reader of messages not sent yet.
    const head = this.head();
    const offset = Math.max(-1, ...offsets.filter((offset) => offset <= head));
    if (offset < 0) return;
    this.reads.move(room, memberKey(connection), offset, this.exposed(connection.peer)).catch((error: unknown) => {
      // Best effort, never answered: the position stays where it was.
      this.logger.warn({ err: error, id: connection.id, room }, 'read position not saved');
    });
  }

  /** In the room, and the room small enough to keep positions; otherwise the client is told why not. */
  private admits(connection: Connection, room: string, id: string | undefined): boolean {
    if (!connection.rooms.includes(room)) {
      refuseNotInRoom(this.output, connection, room, id);
      return false;
    }
    if (this.presence.roomCount(room) > this.options.presenceThreshold) {
      this.output.reject(connection, ErrorCode.RoomTooLarge, `the room ${JSON.stringify(room)} has more than ${this.options.presenceThreshold} members: it keeps no read positions`, { id, room });
      return false;
    }
    return true;
  }
}

/** Whose position it is: the authenticated user (all its connections and sessions), else the peer. */
function memberKey(connection: Connection): string {
  return connection.identity ? `u:${connection.identity.userId}` : `p:${connection.id}`;
}

/** Where `offset` is in the flat, offset-ordered list, or -1 (binary search: up to 100 offsets in a list of 1 000). */
function find(unread: readonly (number | string)[], offset: number): number {
  let low = 0;
  let high = unread.length / RECEIPT_SLOTS - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = unread[middle * RECEIPT_SLOTS] as number;
    if (at === offset) return middle * RECEIPT_SLOTS;
    if (at < offset) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
