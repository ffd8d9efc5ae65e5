// The two dialects a client may speak (PROTOCOL.md §3), chosen once per
// connection from its subprotocol. Everything that differs between them is
// here, so the rest of the relay never asks which one a connection speaks:
// how its frames are read and written (the wire formats themselves live in
// src/protocol), and the few rules in which the original server differed.
import type { Decoded } from '../protocol/codec.js';
import { SUBPROTOCOL_V1 } from '../protocol/constants.js';
import type { ClientFrame, ServerFrame, Target } from '../protocol/frames.js';
import { decodeLegacyFrame, normalizeLegacyTargets, toLegacyFrame } from '../protocol/legacy.js';
import { displayName, type Identity } from './auth.js';
import { newId } from './ids.js';
import { cleanName } from './names.js';
import { decodeV1Frame } from './v1-frames.js';
import { ackText, messageText } from './v1-text.js';

/** The dialect's name, as the logs show it. */
export type Dialect = 'v1' | 'legacy';

/** A message to route, whichever dialect it came in. */
export interface Outgoing {
  readonly id: string;
  readonly to: Target | undefined;
  /** For a broadcast: the room asked for (absent: the sender's first room). */
  readonly room?: string | undefined;
  readonly data: unknown;
  /** Peer ids the sender mentioned (v1). */
  readonly mentions?: readonly string[] | undefined;
}

/**
 * What a client asked for: a v1 frame, or a legacy frame's `post` (a
 * message, without acknowledgement, and the name its sender goes by now;
 * `message` is undefined when its addresses cannot match anyone).
 */
export type Command = ClientFrame | { readonly type: 'post'; readonly name: string; readonly message: Outgoing | undefined };

export interface ServerDialect {
  readonly name: Dialect;
  /** Its index among the dialects, for per-dialect caches. */
  readonly slot: 0 | 1;
  /** Says hello before anything else, and is welcomed; otherwise it is online from the upgrade on. */
  readonly greets: boolean;
  /** Is sent its own messages and the notice of its own arrival, as the original server did. */
  readonly echoesOwn: boolean;
  /** A message to a target that matches no one is refused (nothing is sent), rather than sent to whoever matches. */
  readonly refusesUnknownTargets: boolean;
  /** Sends a message refused with `unavailable` again, so its later messages must wait for it (PROTOCOL.md §19.5). */
  readonly resendsRefused: boolean;
  /** The name a connection goes by before it says otherwise. */
  nameOnConnect(query: URLSearchParams, identity: Identity | undefined): string;
  /** Reads a frame; the error names what is wrong with it. */
  decode(text: string): Decoded<Command>;
  /** `frame` in this dialect's format, or undefined when the dialect has no such frame. `count`: how many are online. */
  encode(frame: ServerFrame, count: number): string | undefined;
  /** The frames every message costs (its delivery, its ack), written as text directly, as `encode` would write them; absent: `encode` them. */
  readonly hot?: { readonly message: typeof messageText; readonly ack: typeof ackText };
}

export const V1: ServerDialect = {
  name: 'v1',
  slot: 0,
  greets: true,
  echoesOwn: false,
  refusesUnknownTargets: true,
  resendsRefused: true,
  nameOnConnect: () => '',
  // decodeClientFrame's answers, without valibot for the frames every message brings.
  decode: decodeV1Frame,
  encode: (frame) => JSON.stringify(frame),
  hot: { message: messageText, ack: ackText },
};

/** The original IP-routing server's format, byte for byte (src/protocol/legacy.ts). */
export const LEGACY: ServerDialect = {
  name: 'legacy',
  slot: 1,
  greets: false,
  echoesOwn: true,
  refusesUnknownTargets: false,
  resendsRefused: false,
  nameOnConnect: (query, identity) => (identity ? displayName(identity) : cleanName(query.get('userName') ?? query.get('name'))),
  decode(text) {
    const decoded = decodeLegacyFrame(text);
    if (!decoded.ok) return decoded;
    const { ip, userName, data } = decoded.frame;
    const { targeted, addrs } = normalizeLegacyTargets(ip);
    return {
      ok: true,
      frame: {
        type: 'post',
        name: cleanName(userName),
        // Addresses that cannot match anyone reach no one, as with the original server.
        message: targeted && addrs.length === 0 ? undefined : { id: `legacy-${newId()}`, to: targeted ? { addrs } : undefined, data: data ?? null },
      },
    };
  },
  encode(frame, count) {
    const legacy = toLegacyFrame(frame, count);
    return legacy && JSON.stringify(legacy);
  },
};

export const DIALECTS: Readonly<Record<Dialect, ServerDialect>> = { v1: V1, legacy: LEGACY };

/** The dialect of a connection that agreed on `subprotocol` (ws's `socket.protocol`). */
export const dialectOf = (subprotocol: string): ServerDialect => (subprotocol === SUBPROTOCOL_V1 ? V1 : LEGACY);
