import { ErrorCode, FieldLimits } from './constants.js';
import type { ClientFrame, ServerFrame } from './frames.js';

// Frames as text on the wire, for both directions and both sides: written
// with JSON.stringify, read back into an object of a known `type`, and the
// verdict of reading one. What each frame type must hold is checked by the
// caller's own validator: valibot schemas on the relay, hand-written guards in
// the browser (server-frames.ts), so the browser's import graph stays free of
// valibot.

export type Decoded<T> =
  | { readonly ok: true; readonly frame: T }
  | {
      readonly ok: false;
      readonly code: typeof ErrorCode.BadFrame | typeof ErrorCode.BadField;
      readonly message: string;
      /** The frame's `id`, when it had a usable one, so the error can name the message. */
      readonly id?: string;
    };

/** A frame's fields checked: the frame, or why not (the field's path first, without the frame type). */
export type Validated<T> = { readonly ok: true; readonly frame: T } | { readonly ok: false; readonly message: string };

/** Parses JSON text into a plain object, or says why it is not one. */
export function parseObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `a frame must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Reads the text of a frame whose `type` must be one of `known`, and has
 * `validate` check its fields: an unknown type is `bad_frame`, a bad field
 * `bad_field` prefixed with the frame type; either echoes a usable `id`.
 */
export function decodeFrame<T>(text: string, known: ReadonlySet<string>, validate: (frame: Record<string, unknown>) => Validated<T>): Decoded<T> {
  const parsed = parseObject(text);
  if (!parsed.ok) return { ok: false, code: ErrorCode.BadFrame, message: parsed.message };
  const { type, id } = parsed.value;
  const frameId = typeof id === 'string' && id.length > 0 && id.length <= FieldLimits.maxIdLength ? id : undefined;
  if (typeof type !== 'string' || !known.has(type)) {
    return {
      ok: false,
      code: ErrorCode.BadFrame,
      message: `unknown frame type ${JSON.stringify(type)}; expected one of ${[...known].join(', ')}`,
      ...(frameId ? { id: frameId } : {}),
    };
  }
  const result = validate(parsed.value);
  if (!result.ok) return { ok: false, code: ErrorCode.BadField, message: `${type}: ${result.message}`, ...(frameId ? { id: frameId } : {}) };
  return result;
}

/** @deprecated A frame's encoding is `JSON.stringify(frame)`, which the client and the relay call themselves; kept because ./protocol exports it. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}
