import type { Limits } from '../protocol/frames.js';
import type { CloseLike } from '../transport/re-websocket-service.js';
import type { ChatClientEvents } from './chat-client.js';
import type { LivenessMonitor } from './liveness.js';
import type { ClientStore } from './persistence.js';
import type { Outbox } from './outbox.js';
import type { ResumeKeeper } from './resume.js';
import type { ChatMessage, Peer } from './types.js';

/** What a dialect may use of the client it speaks for. */
export interface DialectHost {
  /** The display name asked for ('' for none). */
  readonly name: string;
  /** The rooms to ask for in the hello (undefined: the relay's default). */
  readonly rooms: readonly string[] | undefined;
  /** How many messages of history to load after the first welcome (0: none). */
  readonly history: number;
  readonly outbox: Outbox;
  readonly liveness: LivenessMonitor;
  readonly resume: ResumeKeeper;
  readonly store: ClientStore;
  emit<K extends keyof ChatClientEvents>(type: K, detail: ChatClientEvents[K]): void;
  /** Whether the client is online (welcomed, in v1). */
  isOnline(): boolean;
  /** Writes a frame's text to the socket. */
  write(text: string): void;
  /** The link is ready for messages: the client is online. */
  ready(): void;
}

/**
 * One wire format as ChatClient speaks it: protocol v1 (`V1Dialect`) or the
 * original IP-routing server's format (`LegacyDialect`). The client picks
 * one when it is made and leaves everything that differs between the two to
 * it: the handshake, reading frames, writing messages, what a close means,
 * and what the relay has said about who is here.
 */
export interface Dialect {
  /** The WebSocket subprotocols to offer (none: the server then speaks the legacy format). */
  readonly protocols: string[] | undefined;
  /** Who the relay says you are, once it has. */
  readonly self: Peer | undefined;
  /** Everyone online, as far as the relay has said. */
  readonly roster: readonly Peer[];
  /** How many are online. */
  readonly count: number;
  /** The relay's limits, once it has announced them. */
  readonly limits: Limits | undefined;
  /** Reads what it resumes from out of the store, before the first connection. */
  restore(): void;
  /** Adds to the relay's URL what this format tells it there. */
  address(url: URL): void;
  /** The socket opened. */
  opened(): void;
  /** A frame arrived. */
  receive(text: string): void;
  /** Writes one of your messages (the outbox has paced it). */
  transmit(message: ChatMessage): void;
  /** Asks the relay for a sign of life (the liveness monitor runs only where the format has one). */
  ping(t: number): void;
  /** Whether a close of a socket that had opened was a refusal all the same (the backoff keeps growing). */
  refused(event: CloseLike): boolean;
  /** The link went: requests waiting for an answer fail. */
  offline(): void;
  /** The client is closing: timers stop. */
  stop(): void;
}
