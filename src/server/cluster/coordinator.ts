import type { Peer, ServerFrame } from '../../protocol/frames.js';
import { DEFAULT_LOG_WINDOW, type MessageLog } from '../log/message-log.js';
import { MemoryReadPositions, type ReadPositions } from '../read-positions.js';
import type { Sessions } from '../sessions.js';

/** Something that happened to a peer, on some node of the cluster. */
export type PresenceEvent =
  /** `rooms`: the rooms it is in. `quiet`: a session moved to a new connection; its clients need not be told again. */
  | { readonly kind: 'join'; readonly peer: Peer; readonly node: string; readonly rooms: readonly string[]; readonly quiet?: boolean }
  /** A peer online on `node` entered or left rooms: `rooms` are those it is in now. */
  | { readonly kind: 'rooms'; readonly peerId: string; readonly node: string; readonly rooms: readonly string[] }
  /**
   * `rooms`: the rooms it was in, from the node it was on (that node tells its
   * clients from it; the others know them already). Absent when another node
   * reaped it.
   */
  | { readonly kind: 'leave'; readonly peer: Peer; readonly node: string; readonly rooms?: readonly string[] }
  /** A session moved to another connection (maybe on another node): the old one must let go. */
  | { readonly kind: 'takeover'; readonly peerId: string; readonly node: string };

/**
 * An ephemeral frame for peers wherever in the cluster they are connected
 * (typing, read receipts): never logged, never replayed, lost for whoever is
 * not online, and, in a cluster, for everyone while Redis is unreachable.
 */
export interface Signal {
  /** For these peer ids; or, without `peers`, */
  readonly peers?: readonly string[];
  /** for every member of this room online, but `except`. */
  readonly room?: string;
  readonly except?: string;
  readonly frame: ServerFrame;
}

export interface CoordinatorHealth {
  /** 'up' or 'down' in a cluster; absent for a single relay. */
  readonly redis?: 'up' | 'down';
  readonly node: string;
  readonly nodes?: number;
}

/**
 * What a relay shares with the other relays of its cluster, if any: the log
 * (ordered for all), the sessions, and who is online where. A single relay
 * has a local coordinator, through which every event passes synchronously;
 * a cluster node has one on Redis, through which events reach every node in
 * the same order as the messages.
 */
export interface Coordinator {
  readonly nodeId: string;
  readonly log: MessageLog;
  readonly sessions: Sessions;
  /** How far each member of each room has read it (PROTOCOL.md section 24.2), shared by every node. */
  readonly reads: ReadPositions;
  /** Tells every node (this one too) of a presence change on this node. */
  publish(event: PresenceEvent): void;
  /** Receives every presence event, from every node, in log order. */
  onPresence(listener: (event: PresenceEvent) => void): void;
  /** Hands `signal` to every node (this one too), at most once each, in no promised order with messages. */
  signal(signal: Signal): void;
  /** Receives every signal, from every node. */
  onSignal(listener: (signal: Signal) => void): void;
  /** Called when the shared state was lost (Redis came back empty): local clients must start over. */
  onReset(listener: () => void): void;
  health(): CoordinatorHealth;
  /** False while the shared state is unreachable: nothing can be routed. */
  readonly available: boolean;
  close(): Promise<void>;
}

/** A relay on its own: events are handled as they are published. */
export class LocalCoordinator implements Coordinator {
  readonly available = true;
  private readonly presenceListeners: Array<(event: PresenceEvent) => void> = [];
  private readonly signalListeners: Array<(signal: Signal) => void> = [];

  constructor(
    readonly nodeId: string,
    readonly log: MessageLog,
    readonly sessions: Sessions,
    // 2 × the default presenceThreshold; openCoordinator passes the relay's own.
    readonly reads: ReadPositions = new MemoryReadPositions({ bound: 400, maxAge: DEFAULT_LOG_WINDOW.maxAge }),
  ) {}

  publish(event: PresenceEvent): void {
    for (const listener of this.presenceListeners) listener(event);
  }

  onPresence(listener: (event: PresenceEvent) => void): void {
    this.presenceListeners.push(listener);
  }

  signal(signal: Signal): void {
    for (const listener of this.signalListeners) listener(signal);
  }

  onSignal(listener: (signal: Signal) => void): void {
    this.signalListeners.push(listener);
  }

  onReset(): void {
    // A single relay's state never disappears under it.
  }

  health(): CoordinatorHealth {
    return { node: this.nodeId };
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
