// How far each member of a room has read it (PROTOCOL.md section 24.2): the
// store behind `read {room}` and `readers`, in memory for a single relay and
// on Redis for a cluster (cluster/redis-read-positions.ts).
import type { Peer } from '../protocol/frames.js';

/** One member's position in one room. */
export interface ReadPosition {
  readonly offset: number;
  /** The member as others see it, when it last moved. */
  readonly peer: Peer;
  /** When it last moved (ms since the epoch): the least recently moved go first, and positions older than the log's age go. */
  readonly at: number;
}

export interface ReadPositionLimits {
  /** Positions a room keeps at most (`2 × presenceThreshold`). */
  readonly bound: number;
  /** ms a position is kept after it last moved (the log's `maxAge`: older messages are gone anyway). */
  readonly maxAge: number;
}

/** Who has read a room up to an offset. */
export interface Readers {
  readonly count: number;
  /** The most recently moved first, at most `limit`. */
  readonly peers: Peer[];
}

export interface ReadPositions {
  /** Moves `member`'s position in `room` to `offset`, never back. */
  move(room: string, member: string, offset: number, peer: Peer, now?: number): Promise<void>;
  /** The members (but `except`) at or past `offset`. */
  readers(room: string, offset: number, except: string, limit: number, now?: number): Promise<Readers>;
}

/** Counts and lists the positions at or past `offset` (but `except`'s), most recently moved first; `positions` in the order they moved when known. */
export function readersOf(positions: Iterable<[string, ReadPosition]>, offset: number, except: string, limit: number, oldest: number): Readers {
  const found: ReadPosition[] = [];
  for (const [member, position] of positions) {
    if (member !== except && position.offset >= offset && position.at >= oldest) found.push(position);
  }
  // Given oldest first (a Map's order of moves): reversed, a stable sort keeps the later of two moves in one ms first.
  found.reverse().sort((a, b) => b.at - a.at);
  return { count: found.length, peers: found.slice(0, limit).map((position) => position.peer) };
}

/** Moves between two sweeps of expired positions. */
const SWEEP_EVERY = 1000;

/** A single relay's positions. */
export class MemoryReadPositions implements ReadPositions {
  /** By room, then member; each room's Map in order of last move (oldest first), so trimming takes from the front. */
  private readonly rooms = new Map<string, Map<string, ReadPosition>>();
  private movesSinceSweep = 0;

  constructor(private readonly limits: ReadPositionLimits) {}

  async move(room: string, member: string, offset: number, peer: Peer, now = Date.now()): Promise<void> {
    let positions = this.rooms.get(room);
    if (!positions) this.rooms.set(room, (positions = new Map()));
    const known = positions.get(member);
    if (known && known.offset >= offset && now - known.at <= this.limits.maxAge) return;
    positions.delete(member);
    positions.set(member, { offset, peer, at: now });
    for (const [oldest, position] of positions) {
      if (positions.size <= this.limits.bound && now - position.at <= this.limits.maxAge) break;
      positions.delete(oldest);
    }
    // Rooms nobody reads any more would otherwise keep their positions for ever: swept now and then, not on a timer.
    if (++this.movesSinceSweep >= SWEEP_EVERY) this.sweep(now);
  }

  private sweep(now: number): void {
    this.movesSinceSweep = 0;
    for (const [room, positions] of this.rooms) {
      for (const [member, position] of positions) {
        if (now - position.at <= this.limits.maxAge) break;
        positions.delete(member);
      }
      if (positions.size === 0) this.rooms.delete(room);
    }
  }

  async readers(room: string, offset: number, except: string, limit: number, now = Date.now()): Promise<Readers> {
    const positions = this.rooms.get(room);
    if (!positions) return { count: 0, peers: [] };
    return readersOf(positions, offset, except, limit, now - this.limits.maxAge);
  }
}
