import * as v from 'valibot';
import { FieldLimits } from './constants.js';
import { withinDepth } from './depth.js';

// The schemas below are the single definition of protocol v1's frames: the
// server validates what clients send with them, clients validate what the
// server sends, and the TypeScript types are inferred from them.

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const offset = v.pipe(v.number(), v.integer(), v.minValue(0));
/** A room's name: 1 to 64 UTF-16 units, no control characters. */
export const RoomSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(FieldLimits.maxRoomLength),
  v.regex(/^[^\u0000-\u001f\u007f]+$/u, 'a room name may not contain control characters'),
);
/** A request's id, chosen by the client and echoed in the answer. */
const requestId = text(FieldLimits.maxIdLength);
/** Any JSON value nested at most `FieldLimits.maxDataDepth` deep: the relay must be able to serialise it again. */
export const DataSchema = v.pipe(
  v.unknown(),
  v.check((data) => withinDepth(data, FieldLimits.maxDataDepth), `data may nest arrays and objects at most ${FieldLimits.maxDataDepth} levels deep`),
);

/** Someone connected to the relay, as the server describes them. */
export const PeerSchema = v.object({
  /** Unique per connection, assigned by the server. */
  id: v.string(),
  /** The display name the client asked for (or that its token carries). */
  name: v.string(),
  /** The client's network address as the server sees it. */
  addr: v.string(),
});
export type Peer = v.InferOutput<typeof PeerSchema>;

/** Who a message is for. Absent means everyone (broadcast). */
export const TargetSchema = v.pipe(
  v.strictObject({
    ids: v.optional(v.array(text(FieldLimits.maxIdLength))),
    // Names are at most 64 code points, which can be 128 UTF-16 units.
    names: v.optional(v.array(text(FieldLimits.maxNameLength * 2))),
    addrs: v.optional(v.array(text(64))),
  }),
  v.check(
    (to) => (to.ids?.length ?? 0) + (to.names?.length ?? 0) + (to.addrs?.length ?? 0) > 0,
    'to must name at least one target (leave it out to broadcast)',
  ),
  v.check(
    (to) => (to.ids?.length ?? 0) + (to.names?.length ?? 0) + (to.addrs?.length ?? 0) <= FieldLimits.maxTargets,
    `to may name at most ${FieldLimits.maxTargets} targets`,
  ),
);
export type Target = v.InferOutput<typeof TargetSchema>;

/**
 * Targets as the server reports them. Lenient, unlike what a client may send:
 * a legacy client's address list is not held to v1's limits, and a newer
 * server may add fields.
 */
const ReportedTargetSchema = v.object({
  ids: v.optional(v.array(v.string())),
  names: v.optional(v.array(v.string())),
  addrs: v.optional(v.array(v.string())),
});

export const ResumeSchema = v.strictObject({
  session: text(128),
  epoch: text(128),
  offset,
});
export type Resume = v.InferOutput<typeof ResumeSchema>;

// ── client → server ────────────────────────────────────────────────────────

export const HelloFrameSchema = v.strictObject({
  type: v.literal('hello'),
  name: v.optional(v.pipe(v.string(), v.maxLength(FieldLimits.maxNameLength * 4))),
  resume: v.optional(ResumeSchema),
  /** The rooms to be in, in order (the first is where a broadcast without `room` goes). Absent: the default room. */
  rooms: v.optional(v.pipe(v.array(RoomSchema), v.maxLength(FieldLimits.maxRooms))),
});
export type HelloFrame = v.InferOutput<typeof HelloFrameSchema>;

export const SendFrameSchema = v.strictObject({
  type: v.literal('send'),
  /** Chosen by the client, unique within its session; echoed in the ack. */
  id: text(FieldLimits.maxIdLength),
  to: v.optional(TargetSchema),
  /** For a broadcast: the room it goes to (one the connection is in). Absent: the connection's first room. Not with `to`. */
  room: v.optional(RoomSchema),
  data: DataSchema,
  /** Peer ids the message mentions (each once): their clients may notify them. Relayed as sent; nobody else is told. */
  mentions: v.optional(
    v.pipe(
      v.array(text(FieldLimits.maxIdLength)),
      v.maxLength(FieldLimits.maxMentions),
      v.check((ids) => new Set(ids).size === ids.length, 'mentions may name each peer once'),
    ),
  ),
});
export type SendFrame = v.InferOutput<typeof SendFrameSchema>;

export const PingFrameSchema = v.strictObject({
  type: v.literal('ping'),
  // Finite: JSON.parse reads 1e999 as Infinity, which would be echoed as a pong with t: null.
  t: v.optional(v.pipe(v.number(), v.finite())),
});
export type PingFrame = v.InferOutput<typeof PingFrameSchema>;

/** The client has processed every message up to and including `offset`. */
export const ReceivedFrameSchema = v.strictObject({
  type: v.literal('received'),
  offset,
});
export type ReceivedFrame = v.InferOutput<typeof ReceivedFrameSchema>;

/** Enter a room; answered with `joined` (or an error with the same `id`). */
export const JoinFrameSchema = v.strictObject({
  type: v.literal('join'),
  room: RoomSchema,
  id: v.optional(requestId),
});
export type JoinFrame = v.InferOutput<typeof JoinFrameSchema>;

/** Leave a room; answered with `left`. */
export const LeaveFrameSchema = v.strictObject({
  type: v.literal('leave'),
  room: RoomSchema,
  id: v.optional(requestId),
});
export type LeaveFrame = v.InferOutput<typeof LeaveFrameSchema>;

/** Who is in a room whose name contains `query` (case-insensitive; all when absent); answered with `roster`. */
export const WhoFrameSchema = v.strictObject({
  type: v.literal('who'),
  id: requestId,
  room: RoomSchema,
  query: v.optional(v.pipe(v.string(), v.maxLength(FieldLimits.maxNameLength * 2))),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(FieldLimits.maxWhoLimit))),
});
export type WhoFrame = v.InferOutput<typeof WhoFrameSchema>;

/**
 * Earlier messages this connection may see, newest first back from `before`
 * (exclusive; absent: the log's head); answered with `page`.
 */
export const HistoryFrameSchema = v.strictObject({
  type: v.literal('history'),
  id: requestId,
  /** Only this room's broadcasts (one the connection is in). Absent: every room it is in, and its private messages. */
  room: v.optional(RoomSchema),
  before: v.optional(offset),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(FieldLimits.maxHistoryLimit))),
});
export type HistoryFrame = v.InferOutput<typeof HistoryFrameSchema>;

/**
 * The sender is typing (or, with `stop`, no longer is) in a room, or to the
 * peers of a private conversation (`to.ids`). Never logged or replayed; a
 * typist says it again every `Typing.repeatMs` while typing. Neither `room`
 * nor `to`: the connection's first room.
 */
export const TypingFrameSchema = v.pipe(
  v.strictObject({
    type: v.literal('typing'),
    room: v.optional(RoomSchema),
    to: v.optional(
      v.strictObject({
        ids: v.pipe(v.array(text(FieldLimits.maxIdLength)), v.minLength(1), v.maxLength(FieldLimits.maxTargets)),
      }),
    ),
    stop: v.optional(v.boolean()),
  }),
  v.check((frame) => !(frame.room !== undefined && frame.to !== undefined), 'typing goes to a room or to peers, not both'),
);
export type TypingFrame = v.InferOutput<typeof TypingFrameSchema>;

/**
 * The reader was shown these messages (on screen, tab visible). Without
 * `room`: private messages to this connection, whose senders are told
 * (`read`). With `room`: messages of that room; the relay keeps how far each
 * member has read, for `readers`.
 */
export const ReadFrameSchema = v.strictObject({
  type: v.literal('read'),
  offsets: v.pipe(v.array(offset), v.minLength(1), v.maxLength(FieldLimits.maxReadOffsets)),
  room: v.optional(RoomSchema),
});
export type ReadFrame = v.InferOutput<typeof ReadFrameSchema>;

/** Who of a room has read up to its message at `offset`; answered with `readers`. */
export const ReadersFrameSchema = v.strictObject({
  type: v.literal('readers'),
  id: requestId,
  room: RoomSchema,
  offset,
});
export type ReadersFrame = v.InferOutput<typeof ReadersFrameSchema>;

export const ClientFrameSchema = v.variant('type', [
  HelloFrameSchema,
  SendFrameSchema,
  PingFrameSchema,
  ReceivedFrameSchema,
  JoinFrameSchema,
  LeaveFrameSchema,
  WhoFrameSchema,
  HistoryFrameSchema,
  TypingFrameSchema,
  ReadFrameSchema,
  ReadersFrameSchema,
]);
export type ClientFrame = v.InferOutput<typeof ClientFrameSchema>;

// ── server → client ────────────────────────────────────────────────────────

export const LimitsSchema = v.object({
  maxFrameBytes: v.number(),
  maxMessagesPerSecond: v.number(),
  burst: v.number(),
  heartbeatInterval: v.number(),
});
export type Limits = v.InferOutput<typeof LimitsSchema>;

/** A room as its member sees it on entering: how many are in it and who (all of them, or a bounded part when `partial`). */
export const RoomStateSchema = v.object({
  room: v.string(),
  count: v.number(),
  roster: v.array(PeerSchema),
  /** True when the room is large: `roster` is a bounded part of it (the most recently active), presence comes batched in `presence` frames, and `who` finds the rest. */
  partial: v.optional(v.boolean()),
});
export type RoomState = v.InferOutput<typeof RoomStateSchema>;

export const WelcomeFrameSchema = v.object({
  type: v.literal('welcome'),
  v: v.number(),
  self: PeerSchema,
  /** Secret: presented in `hello.resume` to take this identity back after a reconnect. */
  session: v.string(),
  /** The log's epoch: offsets compare only within one epoch. */
  epoch: v.string(),
  /** Where this client's stream continues from: the log's head for a new session, where the replay starts for a resumed one. */
  offset,
  /** The first room's roster and count (see `rooms` for every room). */
  roster: v.array(PeerSchema),
  count: v.number(),
  /** Every room the connection is in, in the order asked for. Absent from relays before rooms. */
  rooms: v.optional(v.array(RoomStateSchema)),
  limits: LimitsSchema,
  /** True when `hello.resume` was honoured: same identity, missed messages follow. */
  resumed: v.boolean(),
  /** True when messages may have been missed and cannot be replayed. */
  gap: v.optional(v.boolean()),
});
export type WelcomeFrame = v.InferOutput<typeof WelcomeFrameSchema>;

export const MessageFrameSchema = v.object({
  type: v.literal('message'),
  offset,
  /** The sender's id for the message. */
  id: v.string(),
  from: PeerSchema,
  /** Present for unicast and multicast: the targets as the sender named them. */
  to: v.optional(ReportedTargetSchema),
  /** For a broadcast: the room it went to. */
  room: v.optional(v.string()),
  data: v.unknown(),
  /** Server time when it was routed (ms since the epoch). */
  ts: v.number(),
  /** True when this is a replay of a message missed while disconnected. */
  replay: v.optional(v.boolean()),
  /** Peer ids the sender mentioned. */
  mentions: v.optional(v.array(v.string())),
});
export type MessageFrame = v.InferOutput<typeof MessageFrameSchema>;

export const AckFrameSchema = v.object({
  type: v.literal('ack'),
  id: v.string(),
  offset,
  ts: v.number(),
  /** Recipients online when it was routed (those away get it when they resume); 0 for a duplicate. */
  recipients: v.number(),
  /** True when this message had already been routed (a resend after a lost ack): it was not routed again. */
  duplicate: v.optional(v.boolean()),
});
export type AckFrame = v.InferOutput<typeof AckFrameSchema>;

export const DeliveredFrameSchema = v.object({
  type: v.literal('delivered'),
  id: v.string(),
  offset,
  by: PeerSchema,
});
export type DeliveredFrame = v.InferOutput<typeof DeliveredFrameSchema>;

export const PresenceFrameSchema = v.object({
  type: v.picklist(['join', 'leave']),
  peer: PeerSchema,
  /** How many are in the room now. */
  count: v.number(),
  /** The room the peer entered or left. Absent from relays before rooms (one room). */
  room: v.optional(v.string()),
});
export type PresenceFrame = v.InferOutput<typeof PresenceFrameSchema>;

/** A large room's presence changes, batched: at most one per room per interval. Lists are bounded; `truncated` says some were left out. */
export const PresenceBatchFrameSchema = v.object({
  type: v.literal('presence'),
  room: v.string(),
  count: v.number(),
  joined: v.array(PeerSchema),
  left: v.array(PeerSchema),
  truncated: v.optional(v.boolean()),
});
export type PresenceBatchFrame = v.InferOutput<typeof PresenceBatchFrameSchema>;

/** The answer to `join`: the room as its new member sees it. */
export const JoinedFrameSchema = v.object({
  type: v.literal('joined'),
  ...RoomStateSchema.entries,
  id: v.optional(v.string()),
});
export type JoinedFrame = v.InferOutput<typeof JoinedFrameSchema>;

/** The answer to `leave`. */
export const LeftFrameSchema = v.object({
  type: v.literal('left'),
  room: v.string(),
  id: v.optional(v.string()),
});
export type LeftFrame = v.InferOutput<typeof LeftFrameSchema>;

/** The answer to `who`: the room's count and the peers that matched, up to the limit. */
export const RosterFrameSchema = v.object({
  type: v.literal('roster'),
  id: v.string(),
  room: v.string(),
  count: v.number(),
  peers: v.array(PeerSchema),
});
export type RosterFrame = v.InferOutput<typeof RosterFrameSchema>;

/** The answer to `history`: messages oldest first. */
export const PageFrameSchema = v.object({
  type: v.literal('page'),
  id: v.string(),
  messages: v.array(MessageFrameSchema),
  /** True when older messages may be kept: ask again with `before`. */
  more: v.boolean(),
  /** Where the next `history` request continues from (its `before`). */
  before: v.optional(offset),
});
export type PageFrame = v.InferOutput<typeof PageFrameSchema>;

export const ErrorFrameSchema = v.object({
  type: v.literal('error'),
  code: v.string(),
  message: v.string(),
  /** The client message id the error is about, when there is one. */
  id: v.optional(v.string()),
  /** For unknown_target: the targets that matched nobody. */
  targets: v.optional(ReportedTargetSchema),
  /** For unavailable (and rate_limited, from relays of earlier revisions): ms until sending the message again is worth it. */
  retryAfter: v.optional(v.number()),
  /** For room_forbidden, not_in_room and too_many_rooms: the room. */
  room: v.optional(v.string()),
});
export type ErrorFrame = v.InferOutput<typeof ErrorFrameSchema>;

export const PongFrameSchema = v.object({
  type: v.literal('pong'),
  t: v.optional(v.number()),
});
export type PongFrame = v.InferOutput<typeof PongFrameSchema>;

/**
 * Someone is typing (or, with `stop`, stopped) in `room`, or, without
 * `room`, to you (a private conversation). Forget it after
 * `Typing.expireMs` without another.
 */
export const TypingNoticeFrameSchema = v.object({
  type: v.literal('typing'),
  from: PeerSchema,
  room: v.optional(v.string()),
  stop: v.optional(v.boolean()),
});
export type TypingNoticeFrame = v.InferOutput<typeof TypingNoticeFrameSchema>;

/** Your private message `id` (at `offset`) was shown to `by`. */
export const ReadReceiptFrameSchema = v.object({
  type: v.literal('read'),
  id: v.string(),
  offset,
  by: PeerSchema,
});
export type ReadReceiptFrame = v.InferOutput<typeof ReadReceiptFrameSchema>;

/** The answer to `readers`: how many members read the room up to `offset`, and who (up to `FieldLimits.maxWhoLimit`). */
export const ReadersAnswerFrameSchema = v.object({
  type: v.literal('readers'),
  id: v.string(),
  room: v.string(),
  offset,
  count: v.number(),
  peers: v.array(PeerSchema),
});
export type ReadersAnswerFrame = v.InferOutput<typeof ReadersAnswerFrameSchema>;

export const ServerFrameSchema = v.variant('type', [
  WelcomeFrameSchema,
  MessageFrameSchema,
  AckFrameSchema,
  DeliveredFrameSchema,
  PresenceFrameSchema,
  ErrorFrameSchema,
  PongFrameSchema,
  PresenceBatchFrameSchema,
  JoinedFrameSchema,
  LeftFrameSchema,
  RosterFrameSchema,
  PageFrameSchema,
  TypingNoticeFrameSchema,
  ReadReceiptFrameSchema,
  ReadersAnswerFrameSchema,
]);
export type ServerFrame = v.InferOutput<typeof ServerFrameSchema>;
