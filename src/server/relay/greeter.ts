// The answer to `hello`: a new session, or one taken back (from this node,
// another node, or a relay that lost it) with everything its client missed
// replayed in order before it goes live.
import type { Logger } from 'pino';
import type { HelloFrame, Resume } from '../../protocol/frames.js';
import { displayName } from '../auth.js';
import type { Coordinator } from '../cluster/coordinator.js';
import type { Connection } from '../connection.js';
import type { LogEntry, MessageLog } from '../log/message-log.js';
import { cleanName } from '../names.js';
import type { Session, Sessions } from '../sessions.js';
import { isFor, type Delivery } from './delivery.js';
import type { Output } from './output.js';
import type { PresenceNotices, Welcome } from './presence-notices.js';
import type { Rooms } from './rooms.js';

/** Replayed messages written between checks that the socket is draining. */
const REPLAY_BATCH = 256;
/** A client from a lost epoch is replayed what was sent in the first this-many ms of the new one. */
const LOST_EPOCH_REPLAY_MS = 30_000;

export class Greeter {
  private readonly startedAt = Date.now();

  constructor(
    private readonly log: MessageLog,
    private readonly sessions: Sessions,
    private readonly coordinator: Coordinator,
    private readonly notices: PresenceNotices,
    private readonly rooms: Rooms,
    private readonly delivery: Delivery,
    private readonly output: Output,
    private readonly logger: Logger,
    /** Handles what the client sent while it was welcomed, in order, and reads its socket again. */
    private readonly resumeReading: (connection: Connection) => void,
  ) {}

  /**
   * Starts a session, or takes one back: with a known resume token (and the
   * same epoch) the client gets its identity back and is replayed, in order,
   * everything addressed to it that it had not processed; otherwise it starts
   * afresh, and is told messages may be missing if it asked to resume.
   */
  hello(connection: Connection, frame: HelloFrame): void {
    clearTimeout(connection.helloTimer);
    connection.helloTimer = undefined;
    connection.setState('welcoming');
    const resume = frame.resume;
    const found = resume && resume.epoch === this.log.epoch ? this.sessions.find(resume.session) : undefined;
    // With authentication a session is its user's: another user's token does not take it (nor its name).
    const session = found && found.user === connection.identity?.userId ? found : undefined;
    const ownId = connection.id;
    const asked = connection.identity ? displayName(connection.identity) : cleanName(frame.name);
    const newName = asked || `guest-${ownId.slice(0, 4)}`;
    // Who it will be, which the room rules may look at.
    connection.id = session?.peerId ?? ownId;
    connection.name = session?.name ?? newName;
    this.rooms.admit(connection, frame.rooms, (admitted) => {
      connection.rooms = [...admitted.rooms];
      // The session may have been ended while the rooms were authorised.
      if (session && this.sessions.find(resume!.session) === session) return this.takeBack(connection, session, resume!, admitted.refused);
      connection.id = ownId;
      connection.name = newName;
      this.start(connection, resume, admitted.refused);
    });
  }

  /** A new session; its client is told messages may be missing if it asked to resume. */
  private start(connection: Connection, resume: Resume | undefined, refused: readonly string[]): void {
    // A client from an epoch this relay no longer has (it restarted and lost
    // its memory) was away when this epoch began: it is owed what others
    // sent in its first moments (their outboxes, flushed on their return).
    const fromLostEpoch = resume !== undefined && resume.epoch !== this.log.epoch;
    // Likewise a session of this epoch that a machine crash lost (it was
    // written after the last flush): its client was away when the relay
    // came back, and is owed what was sent since, as if it had resumed.
    const lost = resume !== undefined && !fromLostEpoch ? this.log.lostInCrash : undefined;
    const owedAfter = fromLostEpoch ? 0 : lost?.through;
    const created = this.sessions.create(connection.peer, owedAfter ?? this.log.head, connection.identity?.userId, connection.rooms);
    connection.session = created.session;
    created.session.connection = connection;
    created.session.bucket = connection.bucket;
    if (resume) {
      this.logger.info({ id: connection.id, reason: fromLostEpoch ? 'epoch' : lost ? 'crash' : 'session' }, 'resume refused: new session');
    }
    if (owedAfter === undefined) {
      this.notices.join(connection, created.token, { resumed: false, gap: resume !== undefined, refused });
      return;
    }
    void this.replay(connection, created.session, created.token, owedAfter, true, {
      resumed: false,
      gap: true,
      until: this.startedAt + LOST_EPOCH_REPLAY_MS,
      refused,
    }).catch((error: unknown) => this.replayFailed(connection, error));
  }

  /** The session comes back on this connection, which is replayed what it missed. */
  private takeBack(connection: Connection, session: Session, resume: Resume, refused: readonly string[]): void {
    const previous = session.connection as Connection | undefined;
    const elsewhere = session.awaySince === undefined && session.node !== undefined && session.node !== this.coordinator.nodeId;
    const announce = (previous === undefined && !elsewhere) || (previous !== undefined && previous.addr !== connection.addr);
    // Its presence was told in the rooms it was in; what changed on the way is told when it is online again.
    this.notices.carryOver(connection, previous);
    if (previous) this.notices.letGo(previous);
    // Connected to another node: that node lets it go.
    if (elsewhere) this.coordinator.publish({ kind: 'takeover', peerId: session.peerId, node: this.coordinator.nodeId });
    connection.session = session;
    // Its hello was its own; from here on it spends what the session has left.
    connection.bucket = session.bucket ??= connection.bucket;
    this.sessions.arrive(session, connection, connection.addr);
    // Owed, while away, the broadcasts of the rooms it was in; from now on it is in those it asked for.
    const owedRooms = session.rooms;
    this.sessions.setRooms(session, connection.rooms);
    void this.replay(connection, session, resume.session, resume.offset, announce, { resumed: true, gap: false, refused }, owedRooms).catch(
      (error: unknown) => this.replayFailed(connection, error),
    );
  }

  /**
   * Welcomes a returning client and replays what it is owed, then lets it go
   * live with no gap and nothing twice: from the moment it asks until the
   * replay is written, live messages for it are held, and afterwards only
   * those past the replay are delivered. The replay waits for the socket to
   * drain as it goes, so a large one never piles up in memory.
   */
  private async replay(
    connection: Connection,
    session: Session,
    token: string,
    after: number,
    announce: boolean,
    welcome: Welcome & { until?: number },
    /** The rooms whose broadcasts it is owed from the log (default: those it is in now). */
    owedRooms: readonly string[] = connection.rooms,
  ): Promise<void> {
    connection.held = [];
    // What the client sends meanwhile is handled after the welcome and the replay.
    if (!connection.inbox) {
      connection.inbox = [];
      connection.socket.pause();
    }
    this.delivery.resuming.add(connection);
    const asked = Math.max(after, session.joinedOffset);
    const since = Math.min(asked, this.log.head);
    let entries: LogEntry[] = [];
    let complete = true;
    try {
      // From what the client asked, not the head: an offset beyond the head is
      // one the log lost (and the log says so).
      ({ entries, complete } = await this.log.read(asked));
    } catch (error) {
      this.logger.error({ err: error, id: connection.id }, 'replay failed');
      complete = false;
    }
    this.delivery.resuming.delete(connection);
    // Taken over while its replay was read (another copy resumed the session): it is closing, and must not join again.
    if (connection.closed || connection.replaced) return;
    this.notices.join(connection, token, { resumed: welcome.resumed, gap: welcome.gap || !complete, offset: since, refused: welcome.refused }, announce);
    let last = since;
    let written = 0;
    for (const entry of entries) {
      if (welcome.until !== undefined && entry.ts > welcome.until) break;
      if (!isFor(entry, session.peerId, owedRooms)) continue;
      if (!this.output.write(connection, this.delivery.messageFrame(entry, connection.codec, true))) return;
      this.delivery.expectReceipt(entry, session);
      last = entry.offset;
      if (++written % REPLAY_BATCH === 0 && !(await this.output.drained(connection))) return;
    }
    // Live messages that arrived meanwhile, without those the replay already covered.
    const held = connection.held ?? [];
    connection.held = undefined;
    for (const entry of held) if (entry.offset > last) this.delivery.deliverLive(connection, entry);
    this.logger.info({ id: connection.id, replayed: written, gap: !complete }, 'resumed');
    // Then what the client sent meanwhile, in order.
    this.resumeReading(connection);
  }

  /** A replay that threw: that client is dropped (it resumes again), the relay goes on. */
  private replayFailed(connection: Connection, error: unknown): void {
    this.logger.error({ err: error, id: connection.id }, 'replay failed');
    connection.socket.terminate();
  }
}
