import { decodeFrame, type Decoded } from './frame-text.js';
import type {
  AckFrame,
  DeliveredFrame,
  ErrorFrame,
  JoinedFrame,
  LeftFrame,
  Limits,
  MessageFrame,
  PageFrame,
  Peer,
  PongFrame,
  PresenceBatchFrame,
  PresenceFrame,
  RoomState,
  ReadReceiptFrame,
  ReadersAnswerFrame,
  RosterFrame,
  ServerFrame,
  TypingNoticeFrame,
  WelcomeFrame,
} from './frames.js';

// The browser's check of server frames, written by hand so the script bundle
// carries no valibot. The valibot schemas in frames.ts stay the one definition
// of the frames and of their types: each guard below is declared for its
// frame's inferred type (`object<WelcomeFrame>({...})`), and the compiler
// holds it to exactly that type's fields, optional where the type says so. A
// fast-check test holds the guards to the schemas at run time: the same frames
// accepted, the same frame returned, the same field named in a refusal
// (test/node/server-frame-guards.test.ts). Fields are listed in the schemas'
// order, the order in which valibot finds the first bad one.

/**
 * Reads `x`, found at `path` in a frame, as a T: the value itself, or for an
 * object a copy of only the fields it knows (a newer server may add others,
 * which are left out, as valibot's object schemas leave them out). Throws a
 * Refusal otherwise.
 */
type Guard<T> = (x: unknown, path: string) => T;
/** The guard of a field that must be there. */
type Mandatory<T> = Guard<T> & { readonly optional?: never };
/** The guard of a field that may be left out. */
type Optional<T> = Guard<T> & { readonly optional: true };
/** A guard for each field of T, and for no other: `Optional` exactly for T's optional fields. */
type Shape<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? Optional<Exclude<T[K], undefined>> : Mandatory<T[K]> };

class Refusal {
  constructor(readonly message: string) {}
}

/** The value as a refusal names it: a number or boolean itself, any other only by its kind (it may be long). */
const got = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : typeof x === 'string' ? 'a string' : String(x);

const refuse = (path: string, expected: string, x: unknown): never => {
  throw new Refusal(`${path}: expected ${expected}, got ${got(x)}`);
};

const is =
  <T>(expected: string, test: (x: unknown) => boolean): Guard<T> =>
  (x, path) =>
    test(x) ? (x as T) : refuse(path, expected, x);

const string = is<string>('string', (x) => typeof x === 'string');
const number = is<number>('number', (x) => typeof x === 'number');
const boolean = is<boolean>('boolean', (x) => typeof x === 'boolean');
const offset = is<number>('integer ≥ 0', (x) => Number.isInteger(x) && (x as number) >= 0);
const anything: Guard<unknown> = (x) => x;
const oneOf = <L extends string>(...values: L[]) => is<L>(values.map((value) => JSON.stringify(value)).join(' or '), (x) => values.includes(x as L));

const optional = <T>(guard: Guard<T>): Optional<T> => Object.assign((x: unknown, path: string) => guard(x, path), { optional: true as const });

const array =
  <T>(item: Guard<T>): Guard<T[]> =>
  (x, path) =>
    Array.isArray(x) ? x.map((entry, i) => item(entry, `${path}.${i}`)) : refuse(path, 'array', x);

/**
 * An object (as valibot reads one, an array too) with the fields of `shape`,
 * read in its order. A field counts as there when `in` finds it, as for
 * valibot; JSON has no `undefined` to tell apart from a missing field.
 */
const object =
  <T>(shape: Shape<T>): Guard<T> =>
  (x, path) => {
    if (typeof x !== 'object' || x === null) return refuse(path, 'object', x);
    const out: Record<string, unknown> = {};
    for (const key in shape) {
      const guard: Guard<unknown> & { readonly optional?: boolean } = shape[key];
      const at = path ? `${path}.${key}` : key;
      if (key in x) out[key] = guard((x as Record<string, unknown>)[key], at);
      else if (!guard.optional) throw new Refusal(`${at}: missing`);
    }
    return out as T;
  };

const peer = object<Peer>({ id: string, name: string, addr: string });
/** Lenient, as the schema: any lists of strings, other fields left out. */
const strings = optional(array(string));
const reportedTarget = object<NonNullable<MessageFrame['to']>>({ ids: strings, names: strings, addrs: strings });
const limits = object<Limits>({ maxFrameBytes: number, maxMessagesPerSecond: number, burst: number, heartbeatInterval: number });

const roomState = object<RoomState>({ room: string, count: number, roster: array(peer), partial: optional(boolean) });

const welcome = object<WelcomeFrame>({
  type: oneOf('welcome'),
  v: number,
  self: peer,
  session: string,
  epoch: string,
  offset,
  roster: array(peer),
  count: number,
  rooms: optional(array(roomState)),
  limits,
  resumed: boolean,
  gap: optional(boolean),
});

const message = object<MessageFrame>({
  type: oneOf('message'),
  offset,
  id: string,
  from: peer,
  to: optional(reportedTarget),
  room: optional(string),
  data: anything,
  ts: number,
  replay: optional(boolean),
  mentions: strings,
});

const ack = object<AckFrame>({
  type: oneOf('ack'),
  id: string,
  offset,
  ts: number,
  recipients: number,
  duplicate: optional(boolean),
});

const delivered = object<DeliveredFrame>({ type: oneOf('delivered'), id: string, offset, by: peer });

const presence = object<PresenceFrame>({ type: oneOf('join', 'leave'), peer, count: number, room: optional(string) });

const presenceBatch = object<PresenceBatchFrame>({
  type: oneOf('presence'),
  room: string,
  count: number,
  joined: array(peer),
  left: array(peer),
  truncated: optional(boolean),
});

const joined = object<JoinedFrame>({
  type: oneOf('joined'),
  room: string,
  count: number,
  roster: array(peer),
  partial: optional(boolean),
  id: optional(string),
});

const left = object<LeftFrame>({ type: oneOf('left'), room: string, id: optional(string) });

const roster = object<RosterFrame>({ type: oneOf('roster'), id: string, room: string, count: number, peers: array(peer) });

const page = object<PageFrame>({ type: oneOf('page'), id: string, messages: array(message), more: boolean, before: optional(offset) });

const error = object<ErrorFrame>({
  type: oneOf('error'),
  code: string,
  message: string,
  id: optional(string),
  targets: optional(reportedTarget),
  retryAfter: optional(number),
  room: optional(string),
});

const pong = object<PongFrame>({ type: oneOf('pong'), t: optional(number) });

const typing = object<TypingNoticeFrame>({ type: oneOf('typing'), from: peer, room: optional(string), stop: optional(boolean) });

const read = object<ReadReceiptFrame>({ type: oneOf('read'), id: string, offset, by: peer });

const readers = object<ReadersAnswerFrame>({ type: oneOf('readers'), id: string, room: string, offset, count: number, peers: array(peer) });

/** The guard of each server frame type, in the order an unknown type's refusal lists them. */
const GUARDS: Readonly<Record<ServerFrame['type'], Guard<ServerFrame>>> = {
  welcome,
  message,
  ack,
  delivered,
  join: presence,
  leave: presence,
  error,
  pong,
  presence: presenceBatch,
  joined,
  left,
  roster,
  page,
  typing,
  read,
  readers,
};
const KNOWN_SERVER_TYPES: ReadonlySet<string> = new Set(Object.keys(GUARDS));

/**
 * Validates a frame from the server. Unknown fields are allowed, so a newer
 * server can add some (they are left out of the frame returned); unknown
 * frame types are reported for the caller to skip.
 */
export function decodeServerFrame(text: string): Decoded<ServerFrame> {
  return decodeFrame(text, KNOWN_SERVER_TYPES, (frame) => {
    try {
      return { ok: true, frame: GUARDS[frame.type as ServerFrame['type']](frame, '') };
    } catch (refusal) {
      if (refusal instanceof Refusal) return { ok: false, message: refusal.message };
      throw refusal;
    }
  });
}
