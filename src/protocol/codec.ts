import * as v from 'valibot';
import { ClientFrameSchema, type ClientFrame } from './frames.js';
import { decodeFrame, type Decoded } from './frame-text.js';

// The relay's side of the codec: client frames checked strictly against the
// valibot schemas. The browser imports server-frames.ts and frame-text.ts
// directly, never this module, so the script bundle carries no valibot; the
// re-exports keep ./protocol's API in one place.
export { encodeFrame, parseObject, type Decoded } from './frame-text.js';
export { decodeServerFrame } from './server-frames.js';

/** Read from the schema, so a new frame type is known everywhere at once. */
const KNOWN_CLIENT_TYPES: ReadonlySet<string> = new Set(ClientFrameSchema.options.map((option) => option.entries.type.literal));

/** The first issue, at its dot path: what the client has to fix first. */
function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Strictly validates a frame from a client (unknown fields are errors). */
export function decodeClientFrame(text: string): Decoded<ClientFrame> {
  return decodeFrame(text, KNOWN_CLIENT_TYPES, (frame) => {
    const result = v.safeParse(ClientFrameSchema, frame);
    return result.success ? { ok: true, frame: result.output } : { ok: false, message: describe(result.issues) };
  });
}

/** The frame types a client may send (v1). On a legacy connection, a frame of one of these is a client in the wrong dialect. */
export const CLIENT_FRAME_TYPES: ReadonlySet<string> = KNOWN_CLIENT_TYPES;
