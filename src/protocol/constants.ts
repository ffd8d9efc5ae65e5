/** The WebSocket subprotocol of protocol v1. A client that does not offer it speaks the legacy format. */
export const SUBPROTOCOL_V1 = 'message-center.v1';

export const PROTOCOL_VERSION = 1;

/**
 * Error codes of `error` frames. Stable: clients may switch on them.
 * docs/PROTOCOL.md describes each.
 */
export const ErrorCode = {
  /** The frame is not valid JSON, not an object, or not a known frame type. */
  BadFrame: 'bad_frame',
  /** A field of the frame is missing, of the wrong type, or out of range. */
  BadField: 'bad_field',
  /** A frame other than `hello` or `ping` arrived before `hello`. */
  HelloRequired: 'hello_required',
  /** A second `hello` on the same connection. */
  AlreadyHello: 'already_hello',
  /** The frame is larger than `maxFrameBytes` (but small enough to read). */
  TooLarge: 'too_large',
  /** More messages than the rate limit allows; the message was not sent. */
  RateLimited: 'rate_limited',
  /** One or more targets match no one online or away (a session kept for its return); the message was not sent. */
  UnknownTarget: 'unknown_target',
  /**
   * Reserved. A refused resume is not an error: the client gets a new
   * session and a welcome with `resumed: false` and `gap: true`.
   */
  ResumeFailed: 'resume_failed',
  /** The server could not handle the frame; the message was not sent. */
  Internal: 'internal',
  /** The relay cannot route messages right now (a cluster node lost Redis); send again after `retryAfter`. */
  Unavailable: 'unavailable',
  /** The room may not be joined by this user: its token's `rooms` claim or the relay's `authorize` hook refused it. */
  RoomForbidden: 'room_forbidden',
  /** The connection is not in the room the frame names (or, for a broadcast without `room`, in no room at all). */
  NotInRoom: 'not_in_room',
  /** Joining would put the connection in more than `FieldLimits.maxRooms` rooms. */
  TooManyRooms: 'too_many_rooms',
  /** The room is larger than the relay's presence threshold: it keeps no read receipts for it, so `readers` is refused. */
  RoomTooLarge: 'room_too_large',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * For each error code about a message: whether sending the same message
 * again, unchanged, can succeed. Clients offer a retry only for these (the
 * reference client resends `rate_limited` and `unavailable` by itself).
 * docs/PROTOCOL.md, section 10.
 */
export const RetryCanHelp: Readonly<Record<ErrorCode, boolean>> = {
  [ErrorCode.BadFrame]: false,
  [ErrorCode.BadField]: false,
  // Sent before the welcome: on a connection that has had its welcome it goes through.
  [ErrorCode.HelloRequired]: true,
  [ErrorCode.AlreadyHello]: false,
  [ErrorCode.TooLarge]: false,
  [ErrorCode.RateLimited]: true,
  // Ids are never given out again: the same targets stay unknown. Address it again instead.
  [ErrorCode.UnknownTarget]: false,
  [ErrorCode.ResumeFailed]: false,
  [ErrorCode.Internal]: true,
  [ErrorCode.Unavailable]: true,
  [ErrorCode.RoomForbidden]: false,
  // Join the room first; the same frame, unchanged, is refused again until then.
  [ErrorCode.NotInRoom]: false,
  [ErrorCode.TooManyRooms]: false,
  [ErrorCode.RoomTooLarge]: false,
};

/** Whether resending can fix a refusal with `code`; false for codes this version does not know. */
export function retryCanHelp(code: string): boolean {
  return Object.hasOwn(RetryCanHelp, code) && RetryCanHelp[code as ErrorCode];
}

/** WebSocket close codes the relay uses. */
export const CloseCode = {
  /** Normal closure. */
  Normal: 1000,
  /** The server is shutting down: reconnect (to another node) right away. */
  GoingAway: 1001,
  /** Policy violation: flooding, or too many connections from one address. The reason says which. */
  PolicyViolation: 1008,
  /** A frame above the hard limit (`maxFrameBytes` × 4); sent by the ws library. */
  MessageTooBig: 1009,
  /** The relay restarted, or lost its shared state: reconnect (messages may be missing). */
  ServiceRestart: 1012,
  /** The server is at its connection limit, or cannot check tokens just now: try again later. The reason says which. */
  TryAgainLater: 1013,
  /** No valid token: missing, invalid, expired or not yet valid (the reason says which). A fresh token may fix it. */
  Unauthorized: 4401,
  /** The page's origin may not connect (cross-site WebSocket hijacking defence). Retrying cannot fix it. */
  Forbidden: 4403,
  /** No `hello` within `helloTimeout`. */
  HelloTimeout: 4408,
  /** Another connection resumed this connection's session (only one connection per session). */
  SessionTakenOver: 4409,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close reasons sent with the close codes above, so clients can tell closes apart. */
export const CloseReason = {
  Flood: 'flood',
  TooManyConnections: 'too_many_connections',
  ServerFull: 'server_full',
  Shutdown: 'server_shutdown',
  HelloTimeout: 'hello_timeout',
  SessionTakenOver: 'session_taken_over',
  /** 4401: the token is missing or not valid. */
  Unauthorized: 'unauthorized',
  /** 4401: the token was valid but has expired. */
  TokenExpired: 'token_expired',
  /** 4401: the token's `iat` or `nbf` is further in the future than the clock skew allowed (30 s). */
  TokenNotYetValid: 'token_not_yet_valid',
  /** 1013: the relay could not check the token (its identity provider did not answer). */
  AuthUnavailable: 'auth_unavailable',
  /** 4403: the page's origin is not allowed. */
  OriginNotAllowed: 'origin_not_allowed',
  StateLost: 'state_lost',
} as const;

export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

/**
 * The close reasons of a connection refused at admission (docs/PROTOCOL.md,
 * section 3.1), before it could do anything: a client tells its user why it
 * cannot get in, until it is online again. Not `flood`: that one closes a
 * connection for what it did. (Written out, checked against `CloseReason`
 * by the compiler: read through `CloseReason`, the browser bundle would
 * carry that whole table.)
 */
export const REFUSAL_REASONS: ReadonlySet<string> = new Set<CloseReason>([
  'origin_not_allowed',
  'unauthorized',
  'token_expired',
  'token_not_yet_valid',
  'auth_unavailable',
  'server_full',
  'too_many_connections',
]);

/**
 * The close codes of a connection the relay refused, or closed for what it
 * did (docs/PROTOCOL.md section 11): the reason, a stable code, says why, and
 * a client reports it (section 20.6). The others are part of a link's life.
 */
export const REFUSAL_CLOSE_CODES: ReadonlySet<number> = new Set<CloseCode>([
  CloseCode.PolicyViolation,
  CloseCode.TryAgainLater,
  CloseCode.Unauthorized,
  CloseCode.Forbidden,
]);

/** Query parameters of the relay's URL (docs/PROTOCOL.md sections 4.5 and 14.2). */
export const QueryParam = {
  /** The access token, when the relay authenticates. */
  Token: 'token',
  /** A legacy client's display name (the legacy format has no hello). */
  UserName: 'userName',
} as const;

/** Field limits of protocol v1. */
export const FieldLimits = {
  /** Display names, after trimming. */
  maxNameLength: 64,
  /** Client message ids. */
  maxIdLength: 64,
  /** Targets in one `to` (ids, names and addresses together). */
  maxTargets: 100,
  /** Nesting of arrays and objects in a message's `data`: deeper payloads could not be serialised again. */
  maxDataDepth: 64,
  /** A room's name, in UTF-16 units. */
  maxRoomLength: 64,
  /** Rooms one connection is in at once. */
  maxRooms: 16,
  /** Messages one `history` request may ask for. */
  maxHistoryLimit: 200,
  /** Peers one `who` request may ask for. */
  maxWhoLimit: 100,
  /** Peer ids one message may mention. */
  maxMentions: 20,
  /** Offsets one `read` frame may report. */
  maxReadOffsets: 100,
} as const;

/**
 * Typing indicators (docs/PROTOCOL.md §23): a typist says so again at most
 * every `repeatMs` while still typing; a listener forgets a typist it has not
 * heard from for `expireMs` (a stop lost with its connection, a tab closed).
 */
export const Typing = {
  repeatMs: 3000,
  expireMs: 6000,
} as const;

/** The room of a client that names none (and of every legacy client): without rooms, everyone is in it. */
export const DEFAULT_ROOM = 'lobby';
