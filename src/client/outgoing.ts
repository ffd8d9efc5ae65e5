import { ErrorCode, FieldLimits } from '../protocol/constants.js';
import { withinDepth } from '../protocol/depth.js';
import { encodeFrame } from '../protocol/frame-text.js';
import type { SendFrame } from '../protocol/frames.js';
import { randomId } from './persistence.js';
import { payloadText, type ChatErrorDetail, type ChatMessage, type Peer, type SendOptions, type Target } from './types.js';

/** The `send` frame of one of your messages, exactly as it is transmitted: the relay limits its size. */
export function sendFrameOf(message: Pick<ChatMessage, 'id' | 'to' | 'room' | 'data' | 'mentions'>): SendFrame {
  const { id, to, room, data, mentions } = message;
  return { type: 'send', id, ...(to ? { to } : room !== undefined ? { room } : {}), data, ...(mentions?.length ? { mentions: [...mentions] } : {}) };
}

/** Bytes of `text` in UTF-8, as the relay counts a frame. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** What a message costs on the wire, or why it cannot be sent at all. */
export type Measured =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly code: typeof ErrorCode.BadField | typeof ErrorCode.TooLarge; readonly message: string };

/**
 * Measures the frame `message` would be sent in, and checks it against what
 * the relay accepts: JSON it can read back (nested at most
 * `FieldLimits.maxDataDepth` deep) and, when the limit is known, at most
 * `maxFrameBytes` bytes.
 */
export function measure(message: Pick<ChatMessage, 'id' | 'to' | 'room' | 'data' | 'mentions'>, maxFrameBytes?: number): Measured {
  let text: string | undefined;
  try {
    text = encodeFrame(sendFrameOf(message));
  } catch (error) {
    return { ok: false, code: ErrorCode.BadField, message: `data cannot be written as JSON: ${(error as Error).message}` };
  }
  if (!withinDepth(message.data, FieldLimits.maxDataDepth)) {
    return { ok: false, code: ErrorCode.BadField, message: `data may nest arrays and objects at most ${FieldLimits.maxDataDepth} levels deep` };
  }
  const bytes = utf8Length(text);
  if (maxFrameBytes !== undefined && bytes > maxFrameBytes) {
    return { ok: false, code: ErrorCode.TooLarge, message: `the message takes ${bytes} bytes as a send frame; the relay accepts at most ${maxFrameBytes}` };
  }
  return { ok: true, bytes };
}

/** A new message of yours, pending: it keeps its id for every resend. */
function newOwnMessage(data: unknown, to: Target | undefined, from: Peer, room: string | undefined, mentions: readonly string[] | undefined): ChatMessage {
  const id = randomId();
  return {
    key: `local:${id}`,
    id,
    from,
    ...(to ? { to } : room !== undefined ? { room } : {}),
    data,
    text: payloadText(data),
    ...(mentions?.length ? { mentions: [...new Set(mentions)] } : {}),
    ts: Date.now(),
    own: true,
    state: 'pending',
  };
}

/**
 * A new message of yours, if the relay could take it: refused otherwise,
 * with the error to report (`bad_field`, or `too_large` when the limit is
 * known).
 */
export function prepare(
  data: unknown,
  to: Target | undefined,
  from: Peer,
  maxFrameBytes?: number,
  room?: string,
  options?: SendOptions,
): { readonly message: ChatMessage } | { readonly error: ChatErrorDetail } {
  const message = newOwnMessage(data, to, from, room, options?.mentions);
  if ((message.mentions?.length ?? 0) > FieldLimits.maxMentions || message.mentions?.some((id) => !id || id.length > FieldLimits.maxIdLength)) {
    return { error: { code: ErrorCode.BadField, message: `mentions: at most ${FieldLimits.maxMentions} peer ids of 1 to ${FieldLimits.maxIdLength} characters` } };
  }
  const measured = measure(message, maxFrameBytes);
  return measured.ok ? { message } : { error: { code: measured.code, message: measured.message } };
}

/**
 * How many characters to take off the end of `text` to make a frame that
 * carries it as a string `bytes` bytes shorter: each character costs what
 * it takes in JSON (escapes included) in UTF-8.
 */
export function charactersOver(text: string, bytes: number): number {
  let saved = 0;
  let count = 0;
  for (let i = text.length; i > 0 && saved < bytes; count++) {
    const unit = text.charCodeAt(i - 1);
    const pair = i > 1 && (unit & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 2) & 0xfc00) === 0xd800;
    saved += pair ? 4 : jsonBytes(unit);
    i -= pair ? 2 : 1;
  }
  return count;
}

/** UTF-8 bytes of one UTF-16 unit (not half of a pair) inside a JSON string, as JSON.stringify writes it. */
function jsonBytes(unit: number): number {
  if (unit === 0x22 || unit === 0x5c) return 2; // \" \\
  if (unit < 0x20) return unit === 0x08 || unit === 0x09 || unit === 0x0a || unit === 0x0c || unit === 0x0d ? 2 : 6; // \n, \u0001
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if ((unit & 0xf800) === 0xd800) return 6; // a lone surrogate: \udXXX
  return 3;
}
