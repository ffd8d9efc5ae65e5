import * as v from 'valibot';
import { ErrorCode, FieldLimits } from './constants.js';
import { ClientFrameSchema, ServerFrameSchema, type ClientFrame, type ServerFrame } from './frames.js';

export type Decoded<T> =
  | { readonly ok: true; readonly frame: T }
  | {
      readonly ok: false;
      readonly code: typeof ErrorCode.BadFrame | typeof ErrorCode.BadField;
      readonly message: string;
      /** The frame's `id`, when it had a usable one, so the error can name the message. */
      readonly id?: string;
    };

const KNOWN_CLIENT_TYPES = new Set(['hello', 'send', 'ping', 'received']);
const KNOWN_SERVER_TYPES = new Set(['welcome', 'message', 'ack', 'delivered', 'join', 'leave', 'error', 'pong']);

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

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}

function decodeWith<T>(
  text: string,
  schema: v.GenericSchema<unknown, T>,
  known: ReadonlySet<string>,
): Decoded<T> {
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
  const result = v.safeParse(schema, parsed.value);
  if (!result.success) {
    return { ok: false, code: ErrorCode.BadField, message: `${type}: ${describe(result.issues)}`, ...(frameId ? { id: frameId } : {}) };
  }
  return { ok: true, frame: result.output };
}

/** Strictly validates a frame from a client (unknown fields are errors). */
export function decodeClientFrame(text: string): Decoded<ClientFrame> {
  return decodeWith(text, ClientFrameSchema, KNOWN_CLIENT_TYPES);
}

/**
 * Validates a frame from the server. Unknown fields are allowed, so a newer
 * server can add some; unknown frame types are reported for the caller to skip.
 */
export function decodeServerFrame(text: string): Decoded<ServerFrame> {
  return decodeWith(text, ServerFrameSchema, KNOWN_SERVER_TYPES);
}

/** @deprecated A frame's encoding is `JSON.stringify(frame)`, which the client and the relay call themselves; kept because ./protocol exports it. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}

/** The frame types a client may send (v1). On a legacy connection, a frame of one of these is a client in the wrong dialect. */
export const CLIENT_FRAME_TYPES: ReadonlySet<string> = KNOWN_CLIENT_TYPES;
