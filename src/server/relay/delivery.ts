// Fan-out: each logged message (from any node) to its online recipients,
// encoded once per dialect; held for clients being replayed to; and the
// delivery receipts private messages earn.
import { DEFAULT_ROOM } from '../../protocol/constants.js';
import type { MessageFrame, Peer, ReceivedFrame } from '../../protocol/frames.js';
import type { Connection } from '../connection.js';
import type { ServerDialect } from '../dialect.js';
import type { LogEntry } from '../log/message-log.js';
import type { Presence } from '../presence.js';
import { owe, RECEIPT_SLOTS, type Session, type Sessions } from '../sessions.js';
import { textFrame } from '../ws-frame.js';
import type { Output } from './output.js';
import type { Receipts } from './receipts.js';
import type { Signals } from './signals.js';

/** Live messages held for a client while it is replayed to; more means it cannot keep up. */
const MAX_HELD = 10_000;
/** Receipts a session keeps waiting for its client to report; beyond this the oldest half goes. */
const MAX_RECEIPTS = 1000;

/**
 * Whether `entry` is owed to the session with this peer id, in these rooms:
 * its private messages, and the broadcasts of its rooms (never its own).
 */
export function isFor(entry: LogEntry, peerId: string, rooms: readonly string[]): boolean {
  if (entry.from.id === peerId) return false;
  if (entry.recipients) return entry.recipients.includes(peerId);
  return rooms.includes(entry.room ?? DEFAULT_ROOM);
}

export class Delivery {
  /** Connections between a resuming hello and their welcome: live messages for them are held. */
  readonly resuming = new Set<Connection>();
  // The frames of the newest entry, encoded once per dialect (by slot) for all its recipients.
  private encodedEntry: LogEntry | undefined;
  private readonly encodedFrames: Array<Buffer | undefined> = [undefined, undefined];
  /** Each sender as recipients see it, as JSON: serialised once per peer object, not once per message. */
  private readonly fromTexts = new WeakMap<Peer, string>();

  constructor(
    private readonly presence: Presence,
    private readonly sessions: Sessions,
    private readonly output: Output,
    /** A peer as other clients see it (without its address while addresses are hidden). */
    private readonly exposed: (peer: Peer) => Peer,
    private readonly signals: Signals,
    private readonly receipts: Receipts,
  ) {}

  /**
   * Sends a logged message to each online recipient, encoded once per
   * dialect, and holds it for recipients that are being replayed to. v1
   * senders have their message already (they get an ack); legacy senders get
   * the echo the original server sent to everyone, itself included.
   */
  deliver(entry: LogEntry): void {
    if (entry.recipients) {
      for (const id of entry.recipients) {
        const connection = this.presence.get(id);
        if (connection) this.deliverLive(connection, entry);
      }
    } else {
      // A broadcast: to its room's members here (every node delivers to its own).
      const name = entry.room ?? DEFAULT_ROOM;
      this.presence.touch(name, entry.from.id);
      const room = this.presence.room(name);
      if (room) for (const connection of [...room.local]) this.deliverLive(connection, entry);
    }
    for (const connection of this.resuming) {
      if (isFor(entry, connection.id, connection.rooms)) connection.held?.push(entry);
    }
  }

  deliverLive(connection: Connection, entry: LogEntry): void {
    if (connection.state !== 'online' || (!connection.codec.echoesOwn && connection.id === entry.from.id)) return;
    if (connection.held) {
      connection.held.push(entry);
      if (connection.held.length > MAX_HELD) this.output.cutOff(connection);
      return;
    }
    const written = this.output.write(connection, this.messageFrame(entry, connection.codec));
    if (written && entry.recipients && connection.session) this.expectReceipt(entry, connection.session);
  }

  /**
   * A private message from a v1 sender, written to a session's client: the
   * sender will be told once that client reports it has processed it.
   */
  expectReceipt(entry: LogEntry, session: Session): void {
    if (!entry.recipients || entry.from.id === session.peerId || !this.sessions.byPeerId(entry.from.id)) return;
    this.receipts.expectRead(entry, session);
    // Halved when full.
    owe(session.receipts, entry, MAX_RECEIPTS, MAX_RECEIPTS / 2);
  }

  /**
   * The client has processed everything up to `offset`: the senders of the
   * private messages among them learn they were delivered.
   */
  received(connection: Connection, frame: ReceivedFrame): void {
    const session = connection.session;
    if (!session) return;
    const receipts = session.receipts;
    let done = 0;
    while (done < receipts.length && (receipts[done] as number) <= frame.offset) {
      const offset = receipts[done] as number;
      const id = receipts[done + 1] as string;
      const sender = receipts[done + 2] as string;
      done += RECEIPT_SLOTS;
      // Wherever in the cluster the sender is (it may be connected to another node than its recipient).
      this.signals.toPeer(sender, { type: 'delivered', id, offset, by: this.exposed(connection.peer) });
    }
    if (done > 0) receipts.splice(0, done);
  }

  /** `entry` as a message frame in `codec`'s format; a replayed one says so. */
  messageFrame(entry: LogEntry, codec: ServerDialect, replay = false): Buffer {
    if (replay) return textFrame(this.messageText(entry, codec, true));
    if (this.encodedEntry !== entry) {
      this.encodedEntry = entry;
      this.encodedFrames.fill(undefined);
    }
    return (this.encodedFrames[codec.slot] ??= textFrame(this.messageText(entry, codec, false)));
  }

  /** The JSON text of `entry`'s message frame in `codec`'s format: what `messageFrame` frames, and what a history page lists. */
  messageText(entry: LogEntry, codec: ServerDialect, replay: boolean): string {
    const text = codec.hot?.message(entry, this.fromText(entry.from), replay);
    if (text !== undefined) return text;
    // Only legacy frames say a count, and legacy clients are all in the default room.
    return codec.encode(replay ? { ...this.messageBody(entry), replay: true } : this.messageBody(entry), this.presence.roomCount(DEFAULT_ROOM))!;
  }

  /** Peers are not changed once made (a rename makes a new one), so their JSON can be kept with them. */
  private fromText(peer: Peer): string {
    let text = this.fromTexts.get(peer);
    if (text === undefined) this.fromTexts.set(peer, (text = JSON.stringify(this.exposed(peer))));
    return text;
  }

  private messageBody(entry: LogEntry): MessageFrame {
    return {
      type: 'message',
      offset: entry.offset,
      id: entry.id,
      from: this.exposed(entry.from),
      ...(entry.to ? { to: entry.to } : {}),
      ...(entry.room !== undefined ? { room: entry.room } : {}),
      data: entry.data,
      // Never changed once logged; the frame only reads it.
      ...(entry.mentions ? { mentions: entry.mentions as string[] } : {}),
      ts: entry.ts,
    };
  }
}
