import { parseObject } from './frame-text.js';

// The legacy format's frames, as an original client writes and reads them and
// as the relay writes them to one (docs/PROTOCOL.md section 14). No validation
// library: the browser client reads this format, and its bundle carries none.
// What the relay accepts from an original client is checked in legacy.ts.

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

/** The text an original client sends: `data` from `userName`, to the addresses `addrs` (none: everyone). */
export function encodeLegacyInFrame(userName: string, data: unknown, addrs: readonly string[] = []): string {
  return JSON.stringify({ ...(addrs.length ? { ip: addrs } : {}), userName, data });
}

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
 * True when a frame in the legacy format is a presence notice rather than a
 * message. The old format cannot tell them apart any other way, so a message
 * whose text is exactly "login" or "logout" reads as a notice there.
 */
export function isLegacyNotice(frame: Pick<LegacyOutFrame, 'data'>): boolean {
  return frame.data === LEGACY_LOGIN || frame.data === LEGACY_LOGOUT;
}

/** What an original client receives from `from` (a message, or a notice about them), with `count` online. */
export function legacyFrame(count: number, from: { readonly addr: string; readonly name: string }, data: unknown): LegacyOutFrame {
  return { count, currUserIp: from.addr, currUserName: from.name, data };
}
