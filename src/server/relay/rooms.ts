// Rooms: which ones a connection may enter (its token's `rooms` claim, then
// the relay's `authorize` hook), entering and leaving them with `join` and
// `leave`, and `who`, the search of a room's members.
import type { Logger } from 'pino';
import { DEFAULT_ROOM, ErrorCode, FieldLimits } from '../../protocol/constants.js';
import type { JoinFrame, LeaveFrame, Peer, WhoFrame } from '../../protocol/frames.js';
import { claimAllows, type Authorize } from '../auth.js';
import type { Connection } from '../connection.js';
import type { Presence } from '../presence.js';
import type { Sessions } from '../sessions.js';
import type { Output } from './output.js';
import type { PresenceNotices } from './presence-notices.js';

/** What a `who` answers when it does not say how many. */
const DEFAULT_WHO_LIMIT = 20;

/** The rooms a connection asked for, split into those it may enter and those it may not, each in the order asked. */
export interface Admitted {
  readonly rooms: readonly string[];
  readonly refused: readonly string[];
}

/** `not_in_room`: the frame names a room the connection is not in (undefined: it is in none). */
export function refuseNotInRoom(output: Output, connection: Connection, room: string | undefined, id: string | undefined): void {
  const message = room === undefined ? 'this connection is in no room: join one first' : `you are not in the room ${JSON.stringify(room)}; join it first`;
  output.reject(connection, ErrorCode.NotInRoom, message, { id, ...(room !== undefined ? { room } : {}) });
}

export class Rooms {
  constructor(
    private readonly presence: Presence,
    private readonly notices: PresenceNotices,
    private readonly sessions: Sessions,
    private readonly output: Output,
    private readonly logger: Logger,
    private readonly options: { readonly authorize: Authorize | undefined; readonly authorizeTimeout: number },
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
    /** Handles what the client sent while its rooms were authorised, in order, and reads its socket again. */
    private readonly resumeReading: (connection: Connection) => void,
  ) {}

  /**
   * Decides which of `asked` (a hello's rooms: absent, the default room) the
   * connection may enter, then calls `then`. When the `authorize` hook answers
   * later, the connection's further frames wait for it, so they are handled
   * in the order sent (a `send` to a room right after its `join`).
   */
  admit(connection: Connection, asked: readonly string[] | undefined, then: (admitted: Admitted) => void): void {
    const rooms = [...new Set(asked ?? [DEFAULT_ROOM])];
    const verdicts = rooms.map((room) => this.allows(connection, room));
    if (!verdicts.some((verdict) => verdict instanceof Promise)) {
      then(split(rooms, verdicts as boolean[]));
      return;
    }
    if (!connection.inbox) {
      connection.inbox = [];
      connection.socket.pause();
    }
    connection.authorising = true;
    void Promise.all(verdicts).then((answers) => {
      connection.authorising = false;
      if (connection.closed || connection.replaced) return;
      then(split(rooms, answers));
      this.resumeReading(connection);
    });
  }

  /** `join`: enters the room (authorised), answered with `joined`; already in it, `joined` again. */
  join(connection: Connection, frame: JoinFrame): void {
    const { room, id } = frame;
    if (connection.rooms.includes(room)) {
      this.output.writeFrame(connection, { type: 'joined', ...this.notices.roomState(connection, room), ...(id !== undefined ? { id } : {}) });
      return;
    }
    if (connection.rooms.length >= FieldLimits.maxRooms) {
      this.output.reject(connection, ErrorCode.TooManyRooms, `a connection may be in at most ${FieldLimits.maxRooms} rooms; leave one first`, { id, room });
      return;
    }
    this.admit(connection, [room], ({ refused }) => {
      if (refused.length > 0) return this.notices.refuse(connection, room, id);
      // Authorised while it joined the same room by another frame, or went past the limit: answered as if it came now.
      if (connection.rooms.includes(room) || connection.rooms.length >= FieldLimits.maxRooms) return this.join(connection, frame);
      this.moveTo(connection, [...connection.rooms, room]);
      this.presence.enter(connection, room);
      this.output.writeFrame(connection, { type: 'joined', ...this.notices.roomState(connection, room), ...(id !== undefined ? { id } : {}) });
      this.notices.moved(connection);
    });
  }

  /** `leave`: leaves the room, answered with `left` (also when it was not in it). */
  leave(connection: Connection, frame: LeaveFrame): void {
    const { room, id } = frame;
    if (connection.rooms.includes(room)) {
      this.presence.exit(connection, room);
      this.moveTo(
        connection,
        connection.rooms.filter((name) => name !== room),
      );
      this.notices.moved(connection);
    }
    this.output.writeFrame(connection, { type: 'left', room, ...(id !== undefined ? { id } : {}) });
  }

  /** `who`: the room's members whose name contains the query, answered with `roster`. */
  who(connection: Connection, frame: WhoFrame): void {
    const { room: name, id } = frame;
    if (!connection.rooms.includes(name)) return this.notInRoom(connection, name, id);
    const room = this.presence.room(name);
    const peers = room?.search((frame.query ?? '').toLowerCase(), frame.limit ?? DEFAULT_WHO_LIMIT) ?? [];
    this.output.writeFrame(connection, {
      type: 'roster',
      id,
      room: name,
      count: room?.count ?? 0,
      peers: peers.map((peer) => (peer.id === connection.id ? peer : this.exposed(peer))),
    });
  }

  /** The room a broadcast goes to (`room`, else the connection's first), or undefined when the client was told why not. */
  broadcastRoom(connection: Connection, room: string | undefined, id: string): string | undefined {
    const target = room ?? connection.rooms[0];
    if (target !== undefined && connection.rooms.includes(target)) return target;
    this.notInRoom(connection, target, id);
    return undefined;
  }

  private notInRoom(connection: Connection, room: string | undefined, id: string | undefined): void {
    refuseNotInRoom(this.output, connection, room, id);
  }

  /** The connection's rooms are these now (a new list: presence events hold the old one), and so are its session's. */
  private moveTo(connection: Connection, rooms: string[]): void {
    connection.rooms = rooms;
    if (connection.session) this.sessions.setRooms(connection.session, rooms);
  }

  /**
   * Whether the connection may enter the room: its token's `rooms` claim,
   * then the `authorize` hook. A hook that throws, rejects or takes longer
   * than the authentication timeout refuses it (and is logged).
   */
  private allows(connection: Connection, room: string): boolean | Promise<boolean> {
    const identity = connection.identity;
    if (!claimAllows(identity, room)) return false;
    const authorize = this.options.authorize;
    if (!authorize) return true;
    const failed = (error: unknown): false => {
      this.logger.error({ err: error, id: connection.id, room }, 'authorize failed: room refused');
      return false;
    };
    let answer: boolean | Promise<boolean>;
    try {
      answer = authorize({ room, peer: connection.peer, ...(identity ? { identity } : {}), addr: connection.addr });
    } catch (error) {
      return failed(error);
    }
    if (!(answer instanceof Promise)) return answer === true;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      answer,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`authorize took longer than ${this.options.authorizeTimeout} ms`)), this.options.authorizeTimeout);
        timer.unref();
      }),
    ]).then(
      (allowed) => allowed === true,
      failed,
    ).finally(() => clearTimeout(timer));
  }
}

function split(rooms: readonly string[], verdicts: readonly boolean[]): Admitted {
  return { rooms: rooms.filter((_, i) => verdicts[i]), refused: rooms.filter((_, i) => !verdicts[i]) };
}
