import { randomBytes } from 'node:crypto';
import type { Peer, Target } from '../../protocol/frames.js';
import {
  type AppendResult,
  type BackPage,
  type LogEntry,
  type LogWindow,
  type MessageLog,
  type NewLogEntry,
  type ReadBackOptions,
} from './message-log.js';

/**
 * The log in memory, in a bounded window (by count, age and size). A new
 * process starts a new epoch: what an earlier process logged is gone, and
 * clients that resume from it are told so.
 *
 * Also the in-memory index of the file log, which adds durability on top.
 */
export class MemoryLog implements MessageLog {
  readonly epoch: string;
  /** From `start` on; the expired ones before it are let go at once (undefined), so that they do not wait for the next compaction. */
  private readonly entries: Array<LogEntry | undefined> = [];
  private readonly sizes: number[] = [];
  /**
   * Kept entries by sender, then by the sender's message id (what
   * deduplication keys on): two lookups, where one key made of both would be
   * a new string to build and hash for every message.
   */
  private readonly bySender = new Map<string, Map<string, LogEntry>>();
  /** Replaced, never changed, on (un)subscribe: an append hands the entry to those subscribed when it began. */
  private listeners: ReadonlyArray<(entry: LogEntry) => void> = [];
  private start = 0;
  private bytes = 0;
  private headOffset = 0;
  /**
   * Offsets at or below this may have been given to messages the log no
   * longer has: dropped from the window, or lost in a crash (0: none). A read
   * from below it is incomplete.
   */
  private missingThrough = 0;

  constructor(
    private readonly window: LogWindow,
    options: { epoch?: string; head?: number } = {},
  ) {
    this.epoch = options.epoch ?? randomBytes(6).toString('base64url');
    this.headOffset = options.head ?? 0;
    this.missingThrough = this.headOffset;
  }

  get head(): number {
    return this.headOffset;
  }

  /** Entries currently kept. */
  get size(): number {
    return this.entries.length - this.start;
  }

  find(fromId: string, id: string): LogEntry | undefined {
    return this.findNow(fromId, id);
  }

  /** The earlier entry, if `fromId` already appended a message with this `id`. */
  findNow(fromId: string, id: string): LogEntry | undefined {
    return this.bySender.get(fromId)?.get(id);
  }

  /**
   * Appends synchronously. `size` is the entry's size if the caller knows it
   * (the frame it came in), which saves serialising it again to find out.
   */
  appendNow(entry: NewLogEntry, size?: number): AppendResult {
    const previous = this.findNow(entry.from.id, entry.id);
    if (previous) return { entry: previous, duplicate: true };
    const stored = new KeptEntry(entry, this.headOffset + 1);
    this.restore(stored, size);
    for (const listener of this.listeners) listener(stored);
    return { entry: stored, duplicate: false };
  }

  /**
   * Offsets after the head, up to `through`, may have been given to messages
   * this log does not have (a crash lost them): the next entry comes after
   * them, and a read from before them is incomplete.
   */
  skip(through: number): void {
    if (through <= this.headOffset) return;
    this.headOffset = through;
    this.missingThrough = Math.max(this.missingThrough, through);
  }

  /** Takes an entry read back from disk, after the head: indexed, not announced to subscribers. */
  restore(given: LogEntry, size: number = estimateSize(given)): void {
    const entry = given instanceof KeptEntry ? given : new KeptEntry(given, given.offset);
    this.skip(entry.offset - 1);
    this.headOffset = entry.offset;
    this.entries.push(entry);
    this.sizes.push(size);
    this.bytes += size;
    const from = entry.from.id;
    let ids = this.bySender.get(from);
    if (!ids) this.bySender.set(from, (ids = new Map()));
    ids.set(entry.id, entry);
    this.expire(Date.now());
  }

  append(entry: NewLogEntry, size?: number): AppendResult {
    return this.appendNow(entry, size);
  }

  async read(after: number): Promise<{ entries: LogEntry[]; complete: boolean }> {
    return this.readNow(after);
  }

  /**
   * Incomplete also from beyond the head: whoever saw such an offset saw
   * messages this log does not have.
   */
  readNow(after: number): { entries: LogEntry[]; complete: boolean } {
    this.expire(Date.now());
    const complete = after >= this.missingThrough && after <= this.headOffset;
    // Only the expired entries before `start` are undefined.
    return { entries: this.entries.slice(this.indexAfter(after)) as LogEntry[], complete };
  }

  readBack(before: number | undefined, options: ReadBackOptions): BackPage {
    this.expire(Date.now());
    const { visible, limit, maxScan, floor = 0 } = options;
    const found: LogEntry[] = [];
    let index = (before === undefined ? this.entries.length : this.indexAfter(before - 1)) - 1;
    let lowest: number | undefined;
    for (let scanned = 0; index >= this.start && found.length < limit && scanned < maxScan; index--, scanned++) {
      const entry = this.entries[index]!;
      if (entry.offset < floor) break;
      lowest = entry.offset;
      if (visible(entry)) found.push(entry);
    }
    const more = index >= this.start && this.entries[index]!.offset >= floor;
    return { entries: found.reverse(), more, ...(lowest !== undefined ? { before: lowest } : {}) };
  }

  /** The index of the first kept entry with an offset above `after`. */
  private indexAfter(after: number): number {
    // Offsets grow but may jump (past what a crash lost): search, do not count.
    let low = this.start;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.offset <= after) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    // Once each, as in a Set.
    if (!this.listeners.includes(listener)) this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async close(): Promise<void> {
    this.listeners = [];
  }

  /** The oldest offset still kept (head + 1 when none is). */
  get tail(): number {
    return this.entries[this.start]?.offset ?? this.headOffset + 1;
  }

  private expire(now: number): void {
    const { maxEntries, maxAge, maxBytes } = this.window;
    while (this.start < this.entries.length) {
      const oldest = this.entries[this.start]!;
      const over = this.entries.length - this.start > maxEntries || this.bytes > maxBytes || now - oldest.ts > maxAge;
      if (!over) break;
      this.bytes -= this.sizes[this.start]!;
      const ids = this.bySender.get(oldest.from.id);
      if (ids?.get(oldest.id) === oldest) {
        ids.delete(oldest.id);
        if (ids.size === 0) this.bySender.delete(oldest.from.id);
      }
      this.missingThrough = Math.max(this.missingThrough, oldest.offset);
      this.entries[this.start++] = undefined;
    }
    // Compact now and then rather than shifting on every append.
    if (this.start > 1024 && this.start > this.entries.length / 2) {
      this.entries.splice(0, this.start);
      this.sizes.splice(0, this.start);
      this.start = 0;
    }
  }
}

/**
 * An entry as the log keeps it: its targets and data as the JSON text a
 * message frame carries them in (`body`), not as the object graph the sender's
 * frame was parsed into. Every kept entry outlives a young-generation
 * collection or two, and each collection copies what survives it, object by
 * object: one string instead of a tree of small objects is less to copy and
 * to trace, and it is the text every delivery of the entry writes anyway.
 * `to` and `data` are parsed back when asked for (the legacy dialect, tests),
 * not kept.
 */
export class KeptEntry implements LogEntry {
  readonly offset: number;
  readonly id: string;
  readonly from: Peer;
  readonly recipients?: readonly string[];
  readonly room?: string;
  readonly users?: readonly string[];
  readonly mentions?: readonly string[];
  readonly ts: number;
  /**
   * `{"to":…,"room":…,"data":…}` (each only when there is one), as JSON.stringify
   * writes them; a message frame carries them in this order. Made by one
   * JSON.stringify so that it is one flat string, not a tree of pieces.
   */
  readonly body: string;
  /** Whether the entry holds data (JSON.stringify leaves `"data"` out when it does not). */
  readonly hasData: boolean;

  constructor(entry: NewLogEntry, offset: number) {
    this.offset = offset;
    this.id = entry.id;
    this.from = entry.from;
    if (entry.recipients) this.recipients = entry.recipients;
    if (entry.room !== undefined) this.room = entry.room;
    if (entry.users) this.users = entry.users;
    if (entry.mentions) this.mentions = entry.mentions;
    this.ts = entry.ts;
    this.hasData = entry.data !== undefined;
    this.body = JSON.stringify(
      entry.to ? { to: entry.to, data: entry.data } : entry.room !== undefined ? { room: entry.room, data: entry.data } : { data: entry.data },
    );
  }

  get to(): Target | undefined {
    return this.body.startsWith('{"to":') ? this.parsed().to : undefined;
  }

  get data(): unknown {
    return this.hasData ? this.parsed().data : undefined;
  }

  /** The plain entry, as it is written to disk and sized. */
  toJSON(): LogEntry {
    const { to, data } = this.parsed();
    return {
      offset: this.offset,
      id: this.id,
      from: this.from,
      ...(to ? { to } : {}),
      ...(this.recipients ? { recipients: this.recipients } : {}),
      ...(this.room !== undefined ? { room: this.room } : {}),
      ...(this.users ? { users: this.users } : {}),
      data,
      ...(this.mentions ? { mentions: this.mentions } : {}),
      ts: this.ts,
    };
  }

  private parsed(): { to?: Target; data?: unknown } {
    return JSON.parse(this.body) as { to?: Target; data?: unknown };
  }
}

/** Roughly the bytes an entry holds: what it would take as JSON. */
export function estimateSize(entry: LogEntry): number {
  try {
    return JSON.stringify(entry).length;
  } catch {
    return 1024;
  }
}
