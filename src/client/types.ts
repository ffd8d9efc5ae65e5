import type { Peer, Target } from '../protocol/frames.js';

export type { Peer, Target };

/** What the panel shows about its link to the relay. */
export type ChatStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

/** `v1` speaks protocol v1; `legacy` speaks the original IP-routing server's format. */
export type ChatProtocol = 'v1' | 'legacy';

/**
 * The life of one of your own messages:
 * `pending` (kept until the server acknowledges it; sent when online),
 * `sent` (the server acknowledged it), `delivered` (a unicast recipient's
 * client has it), `read` (a private message was shown to its recipient),
 * `failed` (the server refused it; `error` says why).
 */
export type DeliveryState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** How a message is sent, beyond its recipients and room. */
export interface SendOptions {
  /** Peer ids the message mentions (at most `FieldLimits.maxMentions`, each once): their clients may notify them. */
  readonly mentions?: readonly string[];
}

export interface ChatMessage {
  /** Unique within the panel: the same message never gets two keys. */
  readonly key: string;
  /** The sender's id for the message. */
  readonly id: string;
  /** The server's sequence number (absent for your messages until acknowledged, and in legacy mode). */
  readonly offset?: number;
  readonly from: Peer;
  /** For private messages: who it was addressed to. Absent for broadcast. */
  readonly to?: Target;
  /** For broadcasts: the room it went (or goes) to. Absent: the first room (and always in legacy mode). */
  readonly room?: string;
  /** The payload as sent. */
  readonly data: unknown;
  /** The payload as text, for display. */
  readonly text: string;
  /** Peer ids the sender mentioned (v1). */
  readonly mentions?: readonly string[];
  /** Server time (ms since the epoch); local time for your own until acknowledged. */
  readonly ts: number;
  /** True for your own messages. */
  readonly own: boolean;
  /** Your own messages only. */
  readonly state?: DeliveryState;
  /** For failed messages: the error code. */
  readonly error?: string;
  /** True when this message came back from a replay after a reconnect. */
  readonly replay?: boolean;
}

export interface ChatNotice {
  readonly kind: 'join' | 'leave' | 'gap';
  readonly key: string;
  readonly peer?: Peer;
  readonly ts: number;
}

export interface StatusDetail {
  readonly status: ChatStatus;
  /** While reconnecting: when the next attempt starts (ms since the epoch). */
  readonly retryAt?: number;
  /** Failed attempts in a row. */
  readonly attempt: number;
}

export interface PresenceDetail {
  /** `room`: one of your rooms changed as a whole (you entered or left it, or a large room's batch of changes came). */
  readonly kind: 'welcome' | 'join' | 'leave' | 'room';
  /** Who joined or left. */
  readonly peer?: Peer;
  /** The room it happened in (v1, from relays with rooms). */
  readonly room?: string;
  /** Everyone online in your rooms, as far as the relay has said (v1 only; empty in legacy mode). */
  readonly roster: readonly Peer[];
  /** How many are in your first room. */
  readonly count: number;
}

/** Earlier messages from the relay's log, oldest first. */
export interface HistoryDetail {
  readonly messages: readonly ChatMessage[];
  /** Older ones may still be kept (`loadOlder()`). */
  readonly more: boolean;
}

export interface GapDetail {
  /**
   * Why messages may be missing: `epoch` (the relay restarted and lost its
   * log), `session` (the relay no longer knew this session), `window` (the
   * relay no longer had everything since this client's last message).
   */
  readonly reason: 'epoch' | 'session' | 'window';
}

/** Messages from others that arrived while the reader could not see them (scrolled up, or the tab hidden), not seen since. */
export interface UnreadDetail {
  readonly count: number;
  /** How many of them mention you by name (private messages are not counted here unless they do). */
  readonly mentions: number;
}

export interface ChatErrorDetail {
  /**
   * A stable code: one of the protocol's error codes (`too_large` and
   * `bad_field` also when the client refuses a message before sending it);
   * `outbox_full`; `connection`; or, when the relay refused the connection,
   * its close reason (`unauthorized`, `token_expired`, `token_not_yet_valid`,
   * `auth_unavailable`, `origin_not_allowed`, `server_full`,
   * `too_many_connections`, `flood`).
   * The panel adds `not_connected` (it is not in a document), `no_url`
   * (no relay to talk to) and `locale_unavailable` (its language could not
   * be loaded; it shows English).
   */
  readonly code: string;
  readonly message: string;
  /** The message it is about, when there is one. */
  readonly id?: string;
}

/** Text to show for a payload: strings as they are, `{ text }` objects by their text, anything else as JSON. */
export function payloadText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data !== null && typeof data === 'object' && typeof (data as { text?: unknown }).text === 'string') {
    return (data as { text: string }).text;
  }
  if (data === undefined) return '';
  try {
    return JSON.stringify(data) ?? String(data);
  } catch {
    return String(data);
  }
}
