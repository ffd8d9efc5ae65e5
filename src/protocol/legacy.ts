import * as v from 'valibot';

// The format of the original IP-routing server, kept byte-for-byte compatible:
// clients that do not offer the v1 subprotocol speak it both ways.

/** What an original client sends: `ip` lists target addresses; absent or empty means everyone. */
export const LegacyInFrameSchema = v.object({
  ip: v.optional(v.union([v.array(v.string()), v.string(), v.null()])),
  userName: v.optional(v.union([v.string(), v.null()])),
  data: v.optional(v.unknown()),
});
export type LegacyInFrame = v.InferOutput<typeof LegacyInFrameSchema>;

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

export function normalizeLegacyTargets(ip: LegacyInFrame['ip']): string[] {
  if (ip === undefined || ip === null) return [];
  return (typeof ip === 'string' ? [ip] : ip).filter((address) => address.length > 0);
}

/**
 * True when a frame in the legacy format is a presence notice rather than a
 * message. The old format cannot tell them apart any other way, so a message
 * whose text is exactly "login" or "logout" reads as a notice there.
 */
export function isLegacyNotice(frame: LegacyOutFrame): boolean {
  return frame.data === LEGACY_LOGIN || frame.data === LEGACY_LOGOUT;
}
