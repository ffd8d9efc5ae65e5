import type { Peer, Target } from '../../protocol/frames.js';

export interface LogEntry {
  /** Position in the log, within an epoch: greater than the entry's before it (one more, unless a crash lost offsets in between). */
  readonly offset: number;
  /** The sender's id for the message (with `from.id`, what deduplication keys on). */
  readonly id: string;
  readonly from: Peer;
  /** The targets as the sender named them; absent for broadcast. */
  readonly to?: Target;
  /** Peer ids it was addressed to; absent for broadcast (everyone whose session existed then). */
  readonly recipients?: readonly string[];
  /** For a broadcast: the room it went to. Absent (in logs written before rooms): the default room. */
  readonly room?: string;
  /**
   * For a private message: the authenticated users it is between (the
   * sender's, then the recipients'), which `history` shows it to. Absent when
   * none was authenticated: then only its own sessions ever see it again.
   */
  readonly users?: readonly string[];
  readonly data: unknown;
  /** Peer ids the sender mentioned; absent when none. */
  readonly mentions?: readonly string[];
  /** Server time when it was routed (ms since the epoch). */
  readonly ts: number;
}

export type NewLogEntry = Omit<LogEntry, 'offset'>;

export interface AppendResult {
  readonly entry: LogEntry;
  /** True when `from.id` had already appended a message with this `id`: nothing was appended, `entry` is the earlier one. */
  readonly duplicate: boolean;
}

export interface LogWindow {
  /** Entries kept for replay and deduplication. */
  readonly maxEntries: number;
  /** ms an entry is kept. */
  readonly maxAge: number;
  /** Bytes of entries (as JSON) kept. */
  readonly maxBytes: number;
}

export const DEFAULT_LOG_WINDOW: LogWindow = {
  maxEntries: 10_000,
  maxAge: 60 * 60 * 1000,
  maxBytes: 64 * 1024 * 1024,
};

/** The key a message is deduplicated by: its sender and its id (a resend after a lost ack has both). */
export const dedupeKey = (fromId: string, id: string): string => `${fromId}\u0000${id}`;

/** What `readBack` looks for, and how far. */
export interface ReadBackOptions {
  /** Whether an entry goes into the page (the others are only examined); asked once per entry examined, newest first. */
  readonly visible: (entry: LogEntry) => boolean;
  /** Visible entries wanted: the scan stops once it has this many. */
  readonly limit: number;
  /** Entries examined at most (in a cluster, the stream's other events count too: they cost the same to read). */
  readonly maxScan: number;
  /** Entries below this offset are not looked at, as if the log had none (default 0). */
  readonly floor?: number;
}

/** A page read back from the log. */
export interface BackPage {
  /** The visible entries found, oldest first. */
  readonly entries: LogEntry[];
  /** True when entries older than those examined may still be kept (the scan stopped at `limit` or `maxScan`). */
  readonly more: boolean;
  /** The lowest offset examined: where the next read back continues. Absent when none was. */
  readonly before?: number;
}

/** A log in memory or on local disk answers at once; one on Redis, later. The relay handles both without a detour through the microtask queue. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Every routed message, with its offset. Entries are handed to subscribers
 * in offset order (the relay delivers from there), and stay readable for
 * replay within the window.
 */
export interface MessageLog {
  /** Names this run of the log: offsets compare only within one epoch. */
  readonly epoch: string;
  /** Offset of the newest entry; 0 before the first. */
  readonly head: number;
  /**
   * Set when this run began after a crash that may have lost the newest
   * entries: offsets after `after` through `through` may have been handed out
   * and lost (the next entry gets `through + 1`).
   */
  readonly lostInCrash?: { readonly after: number; readonly through: number } | undefined;
  /** `size`: the entry's size in bytes when the caller knows it, for the window's byte bound. */
  append(entry: NewLogEntry, size?: number): MaybePromise<AppendResult>;
  /** The entry `fromId` already appended with this `id`, if it is still kept (a resend after a lost ack). */
  find(fromId: string, id: string): MaybePromise<LogEntry | undefined>;
  /**
   * Kept entries after `offset`, oldest first. `complete` is false when some
   * entries after `offset` are no longer kept (the window moved past them, or
   * a crash lost them), and, for a log that knows its head exactly, when
   * `offset` is beyond it (whoever saw it saw messages this log lost).
   */
  read(after: number): Promise<{ entries: LogEntry[]; complete: boolean }>;
  /**
   * Kept entries with offsets below `before` (absent: up to the head), newest
   * first until `limit` visible ones are found or `maxScan` were examined;
   * handed back oldest first. For history: what is shown is up to `visible`.
   */
  readBack(before: number | undefined, options: ReadBackOptions): MaybePromise<BackPage>;
  subscribe(listener: (entry: LogEntry) => void): () => void;
  close(): Promise<void>;
}
