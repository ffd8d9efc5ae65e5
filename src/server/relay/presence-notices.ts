// Who is online, as clients hear of it: the welcome with each room's roster,
// and the join and leave notices of every peer in the cluster, told only in
// the rooms it enters and leaves, in the order the cluster's presence events
// come (this node's own included). A large room's notices are summarised:
// partial rosters, and its changes batched in at most one `presence` frame
// per room per interval.
import { CloseCode, CloseReason, ErrorCode, PROTOCOL_VERSION } from '../../protocol/constants.js';
import type { Peer, PresenceBatchFrame, RoomState, ServerFrame } from '../../protocol/frames.js';
import type { Coordinator, PresenceEvent } from '../cluster/coordinator.js';
import type { Connection } from '../connection.js';
import type { MessageLog } from '../log/message-log.js';
import type { ResolvedOptions } from '../options.js';
import { roomChange, type Presence, type Room, type RoomChange } from '../presence.js';
import type { Output } from './output.js';

/** How a welcome continues the client's stream: a new session, or a resumed one, and from where. */
export interface Welcome {
  readonly resumed: boolean;
  /** Messages may be missing (the session or the log's tail was lost). */
  readonly gap: boolean;
  /** Where the client's stream continues from: where its replay starts (default: the log's head). */
  readonly offset?: number;
  /** Rooms the hello asked for that the connection may not enter: one `room_forbidden` each follows the welcome. */
  readonly refused?: readonly string[];
}

/** Peers one `presence` frame lists as joined, and as left, at most. */
export const MAX_BATCH_PEERS = 100;

/** A large room's changes since its last `presence` frame, newest last. */
interface Batch {
  readonly joined: Map<string, Peer>;
  readonly left: Map<string, Peer>;
  truncated: boolean;
}

type PresenceNoticeOptions = Pick<
  ResolvedOptions,
  'maxFrameBytes' | 'maxMessagesPerSecond' | 'burst' | 'heartbeatInterval' | 'presenceThreshold' | 'presenceRosterSize' | 'presenceInterval'
>;

export class PresenceNotices {
  /** Large rooms' changes waiting for their next `presence` frame, by room. */
  private readonly batches = new Map<string, Batch>();
  private batchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly presence: Presence,
    private readonly coordinator: Coordinator,
    private readonly log: MessageLog,
    private readonly output: Output,
    private readonly options: PresenceNoticeOptions,
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
  ) {}

  /**
   * Puts a connection online, in its rooms: the welcome (for a client that
   * said hello) and the join notices, unless `announce` is false (a client
   * back on the same address is not news).
   */
  join(connection: Connection, token?: string, welcome?: Welcome, announce = true): void {
    connection.setState('online');
    this.presence.add(connection);
    if (connection.codec.greets) {
      const rooms = connection.rooms.map((room) => this.roomState(connection, room));
      this.output.writeFrame(connection, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        self: connection.peer,
        session: token ?? '',
        epoch: this.log.epoch,
        offset: welcome?.offset ?? this.log.head,
        // Clients from before rooms read these: the first room's.
        roster: rooms[0]?.roster ?? [],
        count: rooms[0]?.count ?? 0,
        rooms,
        limits: {
          maxFrameBytes: this.options.maxFrameBytes,
          maxMessagesPerSecond: this.options.maxMessagesPerSecond,
          burst: this.options.burst,
          heartbeatInterval: this.options.heartbeatInterval,
        },
        resumed: welcome?.resumed ?? false,
        ...(welcome?.gap ? { gap: true } : {}),
      });
      for (const room of welcome?.refused ?? []) this.refuse(connection, room);
    }
    // Every node (this one included) hears of it and tells its clients.
    this.coordinator.publish({
      kind: 'join',
      peer: connection.peer,
      node: this.coordinator.nodeId,
      rooms: [...connection.rooms],
      ...(announce ? {} : { quiet: true }),
    });
  }

  /** A room as `connection`, one of its members, sees it: the whole roster, or the most recently active part of a large one. */
  roomState(connection: Connection, name: string): RoomState {
    const room = this.presence.room(name);
    if (!room) return { room: name, count: 0, roster: [] };
    const partial = room.count > this.options.presenceThreshold;
    const peers = partial ? room.recent(this.options.presenceRosterSize) : [...room.members.values()];
    return {
      room: name,
      count: room.count,
      roster: peers.map((peer) => (peer.id === connection.id ? peer : this.exposed(peer))),
      ...(partial ? { partial: true } : {}),
    };
  }

  /** The connection may not enter `room`. */
  refuse(connection: Connection, room: string, id?: string): void {
    this.output.reject(connection, ErrorCode.RoomForbidden, `you may not enter the room ${JSON.stringify(room)}`, { id, room });
  }

  /** An online connection's rooms changed (it entered or left one): every node hears of it. */
  moved(connection: Connection): void {
    this.coordinator.publish({ kind: 'rooms', peerId: connection.id, node: this.coordinator.nodeId, rooms: [...connection.rooms] });
  }

  /** A connection that was online has gone: every node hears of it, if it was still in the roster. */
  leave(connection: Connection): void {
    if (this.presence.remove(connection)) {
      this.coordinator.publish({ kind: 'leave', peer: connection.peer, node: this.coordinator.nodeId, rooms: [...connection.rooms] });
    }
  }

  /** The old link of a session that came back on a new one: it goes quietly (no leave). */
  letGo(previous: Connection): void {
    previous.replaced = true;
    previous.end(CloseCode.SessionTakenOver, CloseReason.SessionTakenOver);
    this.presence.remove(previous);
  }

  /**
   * A presence change somewhere in the cluster (here too), in log order:
   * peers of other nodes are added to or removed from the rooms, and local
   * members of those rooms are told.
   */
  onEvent(event: PresenceEvent): void {
    const here = event.node === this.coordinator.nodeId;
    switch (event.kind) {
      case 'takeover': {
        if (here) return;
        const connection = this.presence.get(event.peerId);
        if (connection) this.letGo(connection);
        return;
      }
      case 'join': {
        if (here) {
          const connection = this.presence.get(event.peer.id);
          // A session that moved to this connection is news only in the rooms it entered or left on the way.
          if (event.quiet) {
            if (connection) this.announceChange(event.peer, roomChange(connection.toldRooms, event.rooms));
          } else {
            for (const room of event.rooms) this.announce('join', event.peer, room);
          }
          if (connection) connection.toldRooms = event.rooms;
          return;
        }
        // A peer that moved here from another node is not new to anyone.
        if (this.presence.get(event.peer.id)) return;
        const before = this.presence.remoteRooms(event.peer.id);
        const fresh = this.presence.addRemote(event.peer, event.node, event.rooms);
        if (fresh && !event.quiet) for (const room of event.rooms) this.announce('join', event.peer, room);
        else if (event.quiet && before) this.announceChange(event.peer, roomChange(before, event.rooms));
        return;
      }
      case 'rooms': {
        if (here) {
          const connection = this.presence.get(event.peerId);
          if (!connection) return;
          const change = roomChange(connection.toldRooms, event.rooms);
          connection.toldRooms = event.rooms;
          this.announceChange(connection.peer, change);
          return;
        }
        const change = this.presence.moveRemote(event.peerId, event.rooms);
        const peer = this.presence.remotePeer(event.peerId);
        if (change && peer) this.announceChange(peer, change);
        return;
      }
      case 'leave': {
        if (here) {
          for (const room of event.rooms ?? []) this.announce('leave', event.peer, room);
          return;
        }
        const known = this.presence.removeRemote(event.peer.id);
        if (known) for (const room of known.rooms) this.announce('leave', event.peer, room);
        return;
      }
    }
  }

  private announceChange(peer: Peer, change: RoomChange): void {
    for (const room of change.left) this.announce('leave', peer, room);
    for (const room of change.entered) this.announce('join', peer, room);
  }

  /**
   * A session moved to `connection` (from `previous` here, or from another
   * node): its presence has been told in the rooms it was in there.
   */
  carryOver(connection: Connection, previous: Connection | undefined): void {
    connection.toldRooms = previous?.toldRooms ?? this.presence.remoteRooms(connection.id) ?? [];
  }

  /**
   * Tells the room's members here that `subject` entered or left it: a
   * notice each in a small room; in a large one, a place in the room's next
   * `presence` frame (legacy clients, whose format has no such frame, are
   * told peer by peer as before).
   */
  private announce(kind: 'join' | 'leave', subject: Peer, name: string): void {
    const room = this.presence.room(name);
    const count = room?.count ?? 0;
    if (count > this.options.presenceThreshold) {
      this.batch(name, kind, subject);
      this.tell(room!.legacy, kind, subject, room!);
      return;
    }
    if (room) this.tell(room.local, kind, subject, room);
  }

  private tell(connections: Set<Connection>, kind: 'join' | 'leave', subject: Peer, room: Room): void {
    if (connections.size === 0) return;
    const notice: ServerFrame = { type: kind, peer: this.exposed(subject), count: room.count, room: room.name };
    // A v1 subject has its welcome (or `joined`) instead; a legacy one hears of itself, as with the original server.
    this.output.writeEach(connections, notice, (connection) => !connection.codec.echoesOwn && connection.id === subject.id);
  }

  /** Notes a large room's change for its next `presence` frame; a peer that comes and goes within one interval is in neither list. */
  private batch(room: string, kind: 'join' | 'leave', subject: Peer): void {
    let batch = this.batches.get(room);
    if (!batch) this.batches.set(room, (batch = { joined: new Map(), left: new Map(), truncated: false }));
    const [same, opposite] = kind === 'join' ? [batch.joined, batch.left] : [batch.left, batch.joined];
    if (!opposite.delete(subject.id)) {
      same.delete(subject.id);
      same.set(subject.id, subject);
      // Bounded however fast the room churns: the oldest goes (newest kept).
      if (same.size > MAX_BATCH_PEERS) {
        same.delete(same.keys().next().value!);
        batch.truncated = true;
      }
    }
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.flushBatches(), this.options.presenceInterval);
      this.batchTimer.unref();
    }
  }

  /** Each large room's `presence` frame, to its members here. */
  private flushBatches(): void {
    this.batchTimer = undefined;
    const batches = [...this.batches];
    this.batches.clear();
    for (const [name, batch] of batches) {
      const room = this.presence.room(name);
      if (!room || (batch.joined.size === 0 && batch.left.size === 0 && !batch.truncated)) continue;
      const frame: PresenceBatchFrame = {
        type: 'presence',
        room: name,
        count: room.count,
        joined: [...batch.joined.values()].map(this.exposed),
        left: [...batch.left.values()].map(this.exposed),
        ...(batch.truncated ? { truncated: true } : {}),
      };
      this.output.writeEach(room.local, frame);
    }
  }

  /** Stops the batch timer (the relay is closing). */
  close(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
  }
}
