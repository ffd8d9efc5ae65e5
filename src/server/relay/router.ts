// Routing: a message's targets resolved, the message appended to the log
// (which hands it to Delivery, on every node), and what its sender is told
// when it cannot be routed. Each sender's messages keep their order, even
// across a refusal with `unavailable`.
import type { Logger } from 'pino';
import { DEFAULT_ROOM, ErrorCode } from '../../protocol/constants.js';
import type { Coordinator } from '../cluster/coordinator.js';
import type { Connection } from '../connection.js';
import type { Outgoing } from '../dialect.js';
import type { AppendResult, LogEntry, MaybePromise, MessageLog } from '../log/message-log.js';
import type { Presence } from '../presence.js';
import type { Sessions } from '../sessions.js';
import type { Output } from './output.js';
import { resolveTargets } from './targets.js';

/** What `unavailable` tells a client to wait before sending the message again. */
const UNAVAILABLE_RETRY_MS = 1000;
/**
 * How long after refusing a send with `unavailable` the relay refuses the
 * same connection's other sends while that one does not come back. Sends
 * already on their way when the client learnt of the refusal arrive well
 * within it; a client that gives up on the refused message instead of
 * sending it again loses no more than this.
 */
const ORDER_HOLD_MS = 10_000;

export interface RouteResult {
  readonly entry: LogEntry;
  /** How many online clients it was routed to (0 for a duplicate). */
  readonly recipients: number;
  /** It had been routed before (a resend after a lost ack): this is that entry. */
  readonly duplicate: boolean;
}

/** What the sender is told of an appended message: a duplicate went to no one again. */
const routed = ({ entry, duplicate }: AppendResult, live: number): RouteResult => ({ entry, recipients: duplicate ? 0 : Math.max(0, live), duplicate });

export class Router {
  constructor(
    private readonly coordinator: Coordinator,
    private readonly log: MessageLog,
    private readonly presence: Presence,
    private readonly sessions: Sessions,
    private readonly output: Output,
    private readonly logger: Logger,
    private readonly exposeAddresses: boolean,
  ) {}

  /**
   * Resolves the targets and appends the message to the log, which hands it
   * to Delivery. Targets are whoever is online, and sessions that are away
   * (they get it on their return). A sender whose dialect refuses unknown
   * targets (v1) is refused when any target is unknown (nothing is sent);
   * legacy senders, as with the original server, reach whoever matches. A
   * message its sender already sent (same id, a resend after a lost ack) is
   * not routed again. `done` gets undefined when the sender was refused.
   */
  route(sender: Connection, message: Outgoing, size: number | undefined, done: (result: RouteResult | undefined) => void): void {
    if (!this.coordinator.available || this.heldBack(sender, message.id)) return this.unavailable(sender, message.id, done);
    // A resend (its ack was lost) is answered from the log, before its targets
    // are looked at again: they may have gone meanwhile.
    let found: MaybePromise<LogEntry | undefined>;
    try {
      found = this.log.find(sender.id, message.id);
    } catch {
      return this.unavailable(sender, message.id, done);
    }
    // A log in memory or on local disk answers at once: no closures for it.
    if (found instanceof Promise) {
      found.then(
        (previous) => this.routeFound(sender, message, size, done, previous),
        () => this.unavailable(sender, message.id, done),
      );
    } else {
      this.routeFound(sender, message, size, done, found);
    }
  }

  /** Routes `message` unless `previous`, the same message logged before, answers it. */
  private routeFound(
    sender: Connection,
    message: Outgoing,
    size: number | undefined,
    done: (result: RouteResult | undefined) => void,
    previous: LogEntry | undefined,
  ): void {
    if (previous) return done({ entry: previous, recipients: 0, duplicate: true });
    let recipientIds: string[] | undefined;
    let live: number;
    // A broadcast's room (the sender's dialect checked that it is in it).
    const room = message.room ?? sender.rooms[0] ?? DEFAULT_ROOM;
    if (message.to) {
      const resolution = resolveTargets(message.to, this.presence, this.sessions, this.exposeAddresses);
      if (resolution.unknown && sender.codec.refusesUnknownTargets) {
        this.output.reject(sender, ErrorCode.UnknownTarget, 'no one online or away matches these targets; the message was not sent', {
          id: message.id,
          targets: resolution.unknown,
        });
        return done(undefined);
      }
      recipientIds = resolution.ids;
      live = resolution.online;
      if (!sender.codec.echoesOwn && recipientIds.includes(sender.id)) live--;
    } else {
      // The room's members online, on every node (the sender among them).
      live = this.presence.roomCount(room) - (sender.codec.echoesOwn ? 0 : 1);
    }
    // Looked at again: an earlier send of this connection may have been refused while this one was looked up.
    if (this.heldBack(sender, message.id)) return this.unavailable(sender, message.id, done);
    let appended: MaybePromise<AppendResult>;
    try {
      // Two shapes, written out (recipients come with targets): no spread's temporary objects per message.
      const { id, to, data, mentions } = message;
      const from = sender.peer;
      const ts = Date.now();
      appended = this.log.append(
        to && recipientIds
          ? { id, from, to, recipients: recipientIds, ...this.usersOf(sender, recipientIds), data, ...(mentions ? { mentions } : {}), ts }
          : { id, from, room, data, ...(mentions ? { mentions } : {}), ts },
        size,
      );
    } catch (error) {
      return this.appendFailed(sender, message.id, error, done);
    }
    if (appended instanceof Promise) {
      appended.then(
        (result) => done(routed(result, live)),
        (error: unknown) => this.appendFailed(sender, message.id, error, done),
      );
    } else {
      done(routed(appended, live));
    }
  }

  /**
   * The authenticated users a private message is between (its sender's, then
   * its recipients'), whom `history` may show it to; none when nobody was.
   */
  private usersOf(sender: Connection, recipientIds: readonly string[]): { users?: string[] } {
    const users = new Set<string>();
    if (sender.identity) users.add(sender.identity.userId);
    for (const id of recipientIds) {
      const user = this.sessions.byPeerId(id)?.user;
      if (user !== undefined) users.add(user);
    }
    return users.size > 0 ? { users: [...users] } : {};
  }

  private unavailable(sender: Connection, id: string, done: (result: undefined) => void): void {
    this.refuseUnavailable(sender, id);
    done(undefined);
  }

  private appendFailed(sender: Connection, id: string, error: unknown, done: (result: undefined) => void): void {
    this.logger.error({ err: error, id: sender.id }, 'could not log a message');
    if (this.coordinator.available) this.output.reject(sender, ErrorCode.Internal, 'the server could not store the message; it was not sent', { id });
    else this.refuseUnavailable(sender, id);
    done(undefined);
  }

  /**
   * The message was not routed, and its client will send it again. Until it
   * does, the connection's later sends are refused too (PROTOCOL.md §19.5):
   * one already on its way could otherwise be routed before it, the moment
   * the relay can route again.
   */
  private refuseUnavailable(sender: Connection, id: string): void {
    const now = Date.now();
    const hold = sender.orderHold;
    if (sender.codec.resendsRefused && (!hold || hold.id === id || hold.until <= now)) sender.orderHold = { id, until: now + ORDER_HOLD_MS };
    this.output.reject(sender, ErrorCode.Unavailable, 'the relay cannot route messages right now; send it again later', {
      id,
      retryAfter: UNAVAILABLE_RETRY_MS,
    });
  }

  /** Whether this send must wait for an earlier one refused with `unavailable`; the earlier one coming back ends the wait. */
  private heldBack(sender: Connection, id: string): boolean {
    const hold = sender.orderHold;
    if (!hold) return false;
    if (hold.id !== id && Date.now() < hold.until) return true;
    sender.orderHold = undefined;
    return false;
  }
}
