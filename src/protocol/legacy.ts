import * as v from 'valibot';
import { CLIENT_FRAME_TYPES } from './codec.js';
import { ErrorCode, FieldLimits, SUBPROTOCOL_V1 } from './constants.js';
import { parseObject, type Decoded } from './frame-text.js';
import { DataSchema, type ServerFrame } from './frames.js';
import { LEGACY_LOGIN, LEGACY_LOGOUT, legacyFrame, type LegacyOutFrame } from './legacy-format.js';

// The format of the original IP-routing server, kept byte-for-byte compatible:
// clients that do not offer the v1 subprotocol speak it both ways. This is the
// relay's side: what it accepts from an original client (valibot), and v1
// frames said in the format. The frames themselves are in legacy-format.ts,
// which the browser client imports instead of this module.
export * from './legacy-format.js';

/** What an original client sends: `ip` lists target addresses; absent or empty means everyone. */
export const LegacyInFrameSchema = v.object({
  ip: v.optional(v.union([v.array(v.string()), v.string(), v.null()])),
  userName: v.optional(v.union([v.string(), v.null()])),
  data: v.optional(DataSchema),
});
export type LegacyInFrame = v.InferOutput<typeof LegacyInFrameSchema>;

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
