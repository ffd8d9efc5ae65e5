// Ephemeral frames (typing, read receipts) to peers wherever in the cluster
// they are connected: handed to every node through the coordinator, and
// written by each node to its own connections among those they are for.
import type { Coordinator, Signal } from '../cluster/coordinator.js';
import type { Connection } from '../connection.js';
import type { Presence } from '../presence.js';
import type { Output } from './output.js';

export class Signals {
  constructor(
    private readonly coordinator: Coordinator,
    private readonly presence: Presence,
    private readonly output: Output,
  ) {
    coordinator.onSignal((signal) => this.deliver(signal));
  }

  /** Sends `signal` to its peers or room on every node. */
  send(signal: Signal): void {
    this.coordinator.signal(signal);
  }

  /**
   * Sends `frame` to one peer: written at once when it is connected here (no
   * round trip through the cluster), handed to the cluster when it is online
   * on another node, dropped when it is not online.
   */
  toPeer(peerId: string, frame: Signal['frame']): void {
    const local = this.presence.get(peerId);
    if (local) this.output.writeFrame(local, frame);
    else if (this.presence.isRemote(peerId)) this.coordinator.signal({ peers: [peerId], frame });
  }

  /** Writes a signal from any node to this node's connections it is for (online ones; a legacy client's dialect leaves it out). */
  private deliver(signal: Signal): void {
    const targets: Connection[] = [];
    if (signal.peers) {
      for (const id of signal.peers) {
        const connection = this.presence.get(id);
        if (connection) targets.push(connection);
      }
    } else if (signal.room !== undefined) {
      const room = this.presence.room(signal.room);
      if (room) for (const connection of room.local) if (connection.id !== signal.except) targets.push(connection);
    }
    this.output.writeEach(targets, signal.frame, (connection) => connection.state !== 'online');
  }
}
