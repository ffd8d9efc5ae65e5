// `typing` (PROTOCOL.md §23): who is typing, relayed to a room's other
// members or to the peers of a private conversation, wherever in the cluster
// they are online. Never logged: a typist that is not heard from again is
// forgotten by its listeners, so a frame dropped here costs nothing but a
// moment's staleness.
import { ErrorCode } from '../../protocol/constants.js';
import type { Peer, TypingFrame, TypingNoticeFrame } from '../../protocol/frames.js';
import type { Connection } from '../connection.js';
import type { ResolvedOptions } from '../options.js';
import type { Presence } from '../presence.js';
import type { Output } from './output.js';
import { refuseNotInRoom } from './rooms.js';
import type { Signals } from './signals.js';

/** A connection forwards at most one `typing` without `stop` this often per room or set of peers: the others say nothing new. */
export const TYPING_FORWARD_MS = 1000;
/**
 * Conversations a connection's throttle remembers: the oldest is forgotten
 * first. Past it a client cycling through more peer sets than this within a
 * second gets a few more through, each still paying its rate-limit token.
 */
const MAX_THROTTLED = 32;

export class TypingRelay {
  /** When each connection last had a `typing` forwarded, by conversation (`#room` or the sorted peer ids). */
  private readonly forwarded = new WeakMap<Connection, Map<string, number>>();

  constructor(
    private readonly presence: Presence,
    private readonly output: Output,
    private readonly signals: Signals,
    private readonly options: Pick<ResolvedOptions, 'presenceThreshold'>,
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
    private readonly now: () => number = Date.now,
  ) {}

  handle(connection: Connection, frame: TypingFrame): void {
    if (connection.state === 'awaiting-hello') {
      this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first');
      return;
    }
    const stop = frame.stop === true;
    const notice: TypingNoticeFrame = { type: 'typing', from: this.exposed(connection.peer), ...(stop ? { stop: true } : {}) };
    if (frame.to) {
      const peers = this.onlinePeers(connection, frame.to.ids);
      if (peers.length === 0 || !this.due(connection, peers.sort().join('\u0000'), stop)) return;
      this.signals.send({ peers, frame: notice });
      return;
    }
    const room = frame.room ?? connection.rooms[0];
    if (room === undefined || !connection.rooms.includes(room)) {
      refuseNotInRoom(this.output, connection, room, undefined);
      return;
    }
    // A large room is not told who types: it would be a frame to hundreds per keystroke pause.
    if (this.presence.roomCount(room) > this.options.presenceThreshold) return;
    if (!this.due(connection, `#${room}`, stop)) return;
    this.signals.send({ room, except: connection.id, frame: { ...notice, room } });
  }

  /** The ids of `ids` online now on any node, each once, the sender not among them. */
  private onlinePeers(connection: Connection, ids: readonly string[]): string[] {
    const online = new Set<string>();
    for (const id of ids) {
      if (id !== connection.id && (this.presence.get(id) || this.presence.isRemote(id))) online.add(id);
    }
    return [...online];
  }

  /**
   * Whether a frame to `conversation` goes out: a stop always does, and lets
   * the next `typing` through at once (it is news again); a `typing` does
   * when none went in the last second.
   */
  private due(connection: Connection, conversation: string, stop: boolean): boolean {
    let last = this.forwarded.get(connection);
    if (stop) {
      last?.delete(conversation);
      return true;
    }
    const now = this.now();
    const previous = last?.get(conversation);
    if (previous !== undefined && now - previous < TYPING_FORWARD_MS) return false;
    if (!last) this.forwarded.set(connection, (last = new Map()));
    last.delete(conversation);
    last.set(conversation, now);
    if (last.size > MAX_THROTTLED) last.delete(last.keys().next().value!);
    return true;
  }
}
