// The frames every private message brings — a `send`, and the `received`
// its recipient answers with — checked by hand, the way ClientFrameSchema
// would check them, instead of by valibot's generic walk over the schema,
// which was the largest single cost of a message in the relay's profile
// (docs/benchmarks.md). They accept exactly what the schema accepts (test/node/
// v1-frames.test.ts holds them to it with fast-check); any other frame, and
// every frame they refuse, goes to decodeClientFrame, which says what is wrong.
import { decodeClientFrame, type Decoded } from '../protocol/codec.js';
import { FieldLimits } from '../protocol/constants.js';
import { withinDepth } from '../protocol/depth.js';
import type { ClientFrame, ReceivedFrame, SendFrame, Target } from '../protocol/frames.js';

/** Reads a v1 client frame: what decodeClientFrame answers, sooner for `send` and `received`. */
export function decodeV1Frame(text: string): Decoded<ClientFrame> {
  const frame = readHotFrame(text);
  return frame ? { ok: true, frame } : decodeClientFrame(text);
}

/** A valid `send` or `received` frame; undefined for anything else (another type, or not valid). */
export function readHotFrame(text: string): SendFrame | ReceivedFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  return object.type === 'send' ? sendFrame(object) : object.type === 'received' ? receivedFrame(object) : undefined;
}

/** Each frame's keys in the schema's order. */
const SEND_KEYS = ['type', 'id', 'to', 'room', 'data', 'mentions'];
const TARGET_KEYS = ['ids', 'names', 'addrs'];

/**
 * Undefined when `object` has a key not in `keys` (a strict object refuses
 * it); otherwise whether its keys come in the order of `keys`, as valibot's
 * output has them.
 */
function knownKeys(object: Record<string, unknown>, keys: readonly string[]): boolean | undefined {
  let rank = 0;
  let ordered = true;
  for (const key in object) {
    const at = keys.indexOf(key);
    if (at < 0) return undefined;
    if (at < rank) ordered = false;
    rank = at;
  }
  return ordered;
}

/** A string of 1 to `max` UTF-16 units (valibot's minLength and maxLength). */
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

/** SendFrameSchema: `type`, `id`, `data`, optionally `to`, and nothing else. */
function sendFrame(object: Record<string, unknown>): SendFrame | undefined {
  // Unknown keys refuse it; keys already in the schema's order let it be returned as it is.
  const ordered = knownKeys(object, SEND_KEYS);
  if (ordered === undefined) return undefined;
  const id = object.id;
  if (!isText(id, FieldLimits.maxIdLength)) return undefined;
  // `in`, as valibot asks: a key present with any value is checked.
  let to: Target | undefined;
  if ('to' in object) {
    to = target(object.to);
    if (!to) return undefined;
  }
  let room: string | undefined;
  if ('room' in object) {
    if (!isRoom(object.room)) return undefined;
    room = object.room;
  }
  if (!('data' in object)) return undefined;
  const data = object.data;
  if (!withinDepth(data, FieldLimits.maxDataDepth)) return undefined;
  let mentions: string[] | undefined;
  if ('mentions' in object) {
    mentions = texts(object.mentions, FieldLimits.maxIdLength);
    if (!mentions || mentions.length > FieldLimits.maxMentions || new Set(mentions).size !== mentions.length) return undefined;
  }
  // Keys in the schema's order, as valibot's output has them.
  if (ordered && to === object.to) return object as SendFrame;
  return { type: 'send', id, ...(to ? { to } : {}), ...(room !== undefined ? { room } : {}), data, ...(mentions ? { mentions } : {}) };
}

/** RoomSchema: 1 to maxRoomLength UTF-16 units, none of them a control character. */
const isRoom = (value: unknown): value is string => isText(value, FieldLimits.maxRoomLength) && !/[\u0000-\u001f\u007f]/u.test(value);

/** TargetSchema: some of `ids`, `names`, `addrs`, arrays of bounded strings, 1 to maxTargets of them in all. */
function target(value: unknown): Target | undefined {
  // An array is an object to valibot too, but none passes: its indices are unknown keys, and `[]` names no one.
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const to = value as Record<string, unknown>;
  const ordered = knownKeys(to, TARGET_KEYS);
  if (ordered === undefined) return undefined;
  const ids = 'ids' in to ? texts(to.ids, FieldLimits.maxIdLength) : null;
  const names = 'names' in to ? texts(to.names, FieldLimits.maxNameLength * 2) : null;
  const addrs = 'addrs' in to ? texts(to.addrs, 64) : null;
  if (ids === undefined || names === undefined || addrs === undefined) return undefined;
  const count = (ids?.length ?? 0) + (names?.length ?? 0) + (addrs?.length ?? 0);
  if (count === 0 || count > FieldLimits.maxTargets) return undefined;
  if (ordered) return to as Target;
  return { ...(ids ? { ids } : {}), ...(names ? { names } : {}), ...(addrs ? { addrs } : {}) };
}

/** The array if every item is a text of at most `max` units; undefined if not. */
function texts(value: unknown, max: number): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const item of value) if (!isText(item, max)) return undefined;
  return value as string[];
}

/** ReceivedFrameSchema: `type` and an `offset` that is a whole number ≥ 0, nothing else. */
function receivedFrame(object: Record<string, unknown>): ReceivedFrame | undefined {
  for (const key in object) if (key !== 'type' && key !== 'offset') return undefined;
  const offset = object.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return undefined;
  return { type: 'received', offset };
}
