import * as v from 'valibot';
import { CLIENT_FRAME_TYPES, parseObject, type Decoded } from './codec.js';
import { ErrorCode, FieldLimits, SUBPROTOCOL_V1 } from './constants.js';
import { DataSchema, type ServerFrame } from './frames.js';

// The format of the original IP-routing server, kept byte-for-byte compatible:
// clients that do not offer the v1 subprotocol speak it both ways.

/** What an original client sends: `ip` lists target addresses; absent or empty means everyone. */
export const LegacyInFrameSchema = v.object({
  ip: v.optional(v.union([v.array(v.string()), v.string(), v.null()])),
  userName: v.optional(v.union([v.string(), v.null()])),
  data: v.optional(DataSchema),
});
export type LegacyInFrame = v.InferOutput<typeof LegacyInFrameSchema>;

/** The text an original client sends: `data` from `userName`, to the addresses `addrs` (none: everyone). */
export function encodeLegacyInFrame(userName: string, data: unknown, addrs: readonly string[] = []): string {
  return JSON.stringify({ ...(addrs.length ? { ip: addrs } : {}), userName, data });
}

/** What an original client receives. */
export interface LegacyOutFrame {
  /** How many are online. */
  count: number;
  /** The sender's address. */
  currUserIp: string;
  /** The sender's name ('' when it never gave one). */
  currUserName: string;
  data: unknown;
}

/** `data` of the notice broadcast when someone connects. */
export const LEGACY_LOGIN = 'login';
/** `data` of the notice broadcast when someone disconnects. */
export const LEGACY_LOGOUT = 'logout';

/**
 * A frame in the legacy format as a client reads it: everyone's `count`
 * with a message, a presence notice, or an error (docs/PROTOCOL.md section
 * 14.7: a message from no one whose `data` carries a stable `error` code).
 */
export type LegacyReceived =
  | { readonly kind: 'message'; readonly count: number; readonly addr: string; readonly name: string; readonly data: unknown }
  | { readonly kind: 'join' | 'leave'; readonly count: number; readonly addr: string; readonly name: string }
  | { readonly kind: 'error'; readonly count: number; readonly code: string; readonly message: string };

/** Reads a frame an original client receives; undefined when it is not one (it is skipped). */
export function decodeLegacyOutFrame(text: string): LegacyReceived | undefined {
  const parsed = parseObject(text);
  if (!parsed.ok) return undefined;
  const frame = parsed.value as Partial<LegacyOutFrame>;
  const { count, data } = frame;
  if (typeof count !== 'number') return undefined;
  const addr = String(frame.currUserIp ?? '');
  const name = String(frame.currUserName ?? '');
  if (addr === '' && name === '' && data !== null && typeof data === 'object' && 'error' in data) {
    const { error, message } = data as { error: unknown; message?: unknown };
    return { kind: 'error', count, code: String(error), message: String(message ?? error) };
  }
  if (isLegacyNotice({ data })) return { kind: data === LEGACY_LOGIN ? 'join' : 'leave', count, addr, name };
  return { kind: 'message', count, addr, name, data };
}

/**
 * The addresses an original client listed, as v1 reports them: empty and
 * over-long entries (no address is longer than 64 characters) are dropped, and
 * the list is cut at v1's target limit. `targeted` says whether the client
 * listed any address at all: a list whose entries all matched nothing valid
 * still means "these addresses", never "everyone".
 */
export function normalizeLegacyTargets(ip: LegacyInFrame['ip']): { targeted: boolean; addrs: string[] } {
  if (ip === undefined || ip === null) return { targeted: false, addrs: [] };
  const listed = (typeof ip === 'string' ? [ip] : ip).filter((address) => address.length > 0);
  return {
    targeted: listed.length > 0,
    addrs: listed.filter((address) => address.length <= 64).slice(0, FieldLimits.maxTargets),
  };
}

/**
 * True when a frame in the legacy format is a presence notice rather than a
 * message. The old format cannot tell them apart any other way, so a message
 * whose text is exactly "login" or "logout" reads as a notice there.
 */
export function isLegacyNotice(frame: Pick<LegacyOutFrame, 'data'>): boolean {
  return frame.data === LEGACY_LOGIN || frame.data === LEGACY_LOGOUT;
}

/**
 * Validates a frame from an original client. A v1 frame (one with a v1
 * `type`) is refused rather than read as a legacy frame: that would turn a
 * private message into a broadcast.
 */
export function decodeLegacyFrame(text: string): Decoded<LegacyInFrame> {
  const parsed = parseObject(text);
  if (!parsed.ok) return { ok: false, code: ErrorCode.BadFrame, message: parsed.message };
  const { type } = parsed.value;
  if (typeof type === 'string' && CLIENT_FRAME_TYPES.has(type)) {
    return {
      ok: false,
      code: ErrorCode.BadFrame,
      message: `this connection speaks the legacy format; offer the ${SUBPROTOCOL_V1} subprotocol to send "${type}" frames`,
    };
  }
  const result = v.safeParse(LegacyInFrameSchema, parsed.value);
  if (!result.success) {
    const issue = result.issues[0]!;
    return { ok: false, code: ErrorCode.BadField, message: `${v.getDotPath(issue) ?? 'frame'}: ${issue.message}` };
  }
  return { ok: true, frame: result.output };
}

/** What an original client receives from `from` (a message, or a notice about them), with `count` online. */
export function legacyFrame(count: number, from: { readonly addr: string; readonly name: string }, data: unknown): LegacyOutFrame {
  return { count, currUserIp: from.addr, currUserName: from.name, data };
}

/**
 * A v1 server frame as the original format says it, if it can: messages;
 * join and leave as the login and logout notices; errors as a message from no
 * one with `data.error`. The format has nothing for the others (welcome, ack,
 * delivered, pong): undefined. `count`: how many are online now.
 */
export function toLegacyFrame(frame: ServerFrame, count: number): LegacyOutFrame | undefined {
  switch (frame.type) {
    case 'message':
      return legacyFrame(count, frame.from, frame.data);
    case 'join':
    case 'leave':
      return legacyFrame(count, frame.peer, frame.type === 'join' ? LEGACY_LOGIN : LEGACY_LOGOUT);
    case 'error':
      return legacyFrame(count, { addr: '', name: '' }, { error: frame.code, message: frame.message });
    default:
      return undefined;
  }
}
