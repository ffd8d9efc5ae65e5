// Who is online, as clients hear of it: the welcome with its roster, and the
// join and leave notices for every peer in the cluster, in the order the
// cluster's presence events come (this node's own included).
import { CloseCode, CloseReason, PROTOCOL_VERSION } from '../../protocol/constants.js';
import type { Peer, ServerFrame } from '../../protocol/frames.js';
import type { Coordinator, PresenceEvent } from '../cluster/coordinator.js';
import type { Connection } from '../connection.js';
import type { MessageLog } from '../log/message-log.js';
import type { ResolvedOptions } from '../options.js';
import type { Presence } from '../presence.js';
import type { Output } from './output.js';

/** How a welcome continues the client's stream: a new session, or a resumed one, and from where. */
export interface Welcome {
  readonly resumed: boolean;
  /** Messages may be missing (the session or the log's tail was lost). */
  readonly gap: boolean;
  /** Where the client's stream continues from: where its replay starts (default: the log's head). */
  readonly offset?: number;
}

export class PresenceNotices {
  constructor(
    private readonly presence: Presence,
    private readonly coordinator: Coordinator,
    private readonly log: MessageLog,
    private readonly output: Output,
    private readonly options: Pick<ResolvedOptions, 'maxFrameBytes' | 'maxMessagesPerSecond' | 'burst' | 'heartbeatInterval'>,
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
  ) {}

  /**
   * Puts a connection online: the welcome (for a client that said hello) and
   * the join notices, unless `announce` is false (a client back on the same
   * address is not news).
   */
  join(connection: Connection, token?: string, welcome?: Welcome, announce = true): void {
    connection.setState('online');
    this.presence.add(connection);
    if (connection.codec.greets) {
      this.output.writeFrame(connection, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        self: connection.peer,
        session: token ?? '',
        epoch: this.log.epoch,
        offset: welcome?.offset ?? this.log.head,
        roster: this.presence.roster().map((peer) => (peer.id === connection.id ? peer : this.exposed(peer))),
        count: this.presence.count,
        limits: {
          maxFrameBytes: this.options.maxFrameBytes,
          maxMessagesPerSecond: this.options.maxMessagesPerSecond,
          burst: this.options.burst,
          heartbeatInterval: this.options.heartbeatInterval,
        },
        resumed: welcome?.resumed ?? false,
        ...(welcome?.gap ? { gap: true } : {}),
      });
    }
    // Every node (this one included) hears of it and tells its clients.
    this.coordinator.publish({ kind: 'join', peer: connection.peer, node: this.coordinator.nodeId, ...(announce ? {} : { quiet: true }) });
  }

  /** A connection that was online has gone: every node hears of it, if it was still in the roster. */
  leave(connection: Connection): void {
    if (this.presence.remove(connection)) this.coordinator.publish({ kind: 'leave', peer: connection.peer, node: this.coordinator.nodeId });
  }

  /** The old link of a session that came back on a new one: it goes quietly (no leave). */
  letGo(previous: Connection): void {
    previous.replaced = true;
    previous.end(CloseCode.SessionTakenOver, CloseReason.SessionTakenOver);
    this.presence.remove(previous);
  }

  /**
   * A presence change somewhere in the cluster (here too), in log order:
   * peers of other nodes are added to or removed from the roster, and local
   * clients are told.
   */
  onEvent(event: PresenceEvent): void {
    const here = event.node === this.coordinator.nodeId;
    if (event.kind === 'takeover') {
      if (here) return;
      const connection = this.presence.get(event.peerId);
      if (connection) this.letGo(connection);
      return;
    }
    if (event.kind === 'join') {
      if (here) {
        if (!event.quiet) this.announce('join', event.peer);
        return;
      }
      // A peer that moved here from another node is not new to anyone.
      if (this.presence.get(event.peer.id)) return;
      const fresh = this.presence.addRemote(event.peer, event.node);
      if (fresh && !event.quiet) this.announce('join', event.peer);
      return;
    }
    if (here) {
      this.announce('leave', event.peer);
      return;
    }
    if (this.presence.removeRemote(event.peer.id)) this.announce('leave', event.peer);
  }

  private announce(kind: 'join' | 'leave', subject: Peer): void {
    let notice: ServerFrame | undefined;
    // Encoded once per dialect for everyone.
    const frames: Array<Buffer | undefined> = [];
    for (const connection of [...this.presence.connections()]) {
      const { codec } = connection;
      if (!codec.echoesOwn && connection.id === subject.id) continue; // it has its welcome
      notice ??= { type: kind, peer: this.exposed(subject), count: this.presence.count };
      const frame = (frames[codec.slot] ??= this.output.encode(codec, notice));
      if (frame) this.output.write(connection, frame);
    }
  }
}
