import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { readBootId } from './boot-id.js';
import { flushFile, flushFolder, replaceFile } from './durable-files.js';
import { MemoryLog } from './memory-log.js';
import {
  dedupeKey,
  type AppendResult,
  type BackPage,
  type LogEntry,
  type LogWindow,
  type MaybePromise,
  type MessageLog,
  type NewLogEntry,
  type ReadBackOptions,
} from './message-log.js';

export interface FileLogOptions {
  /** The folder; created if missing. */
  dir: string;
  window: LogWindow;
  /**
   * fdatasync before a message is handed on, so an acknowledged message
   * survives a machine crash too (not only a killed process). Appends are
   * committed in groups: the messages written in one event-loop turn share
   * one flush, at the end of the turn. Default false.
   */
  fsync?: boolean;
  /** Entries per segment file. Default 4096. */
  segmentEntries?: number;
  /**
   * Without fsync: how many offsets to reserve at a time. Before it hands
   * out an offset beyond its reservation, the log flushes a new one to the
   * disk, so that after a machine crash it knows how far the offsets it may
   * have handed out went, and continues past them. Default 65536.
   */
  reserveAhead?: number;
  /**
   * The file that names the machine's current boot (default Linux's
   * /proc/sys/kernel/random/boot_id). A log reopened in the same boot knows
   * the page cache kept its every write; after another boot it does not.
   */
  bootIdFile?: string;
}

/**
 * What the log has flushed about its offsets: none above `reserved` was
 * handed out unless it is in the log, flushed (with fsync).
 */
interface Reservation {
  readonly epoch: string;
  readonly reserved: number;
  /** The boot it was written in; absent when that was unknown. */
  readonly boot?: string;
}

interface Segment {
  readonly first: number;
  last: number;
  readonly path: string;
  /** Bytes written to it: where to cut back to if a write fails halfway. */
  bytes: number;
}

/** A message written to the file, waiting for the flush that commits it. */
interface Uncommitted {
  readonly entry: LogEntry;
  readonly size: number;
  readonly key: string;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

const SEGMENT = /^(\d{20})\.jsonl$/;
const RESERVE_AHEAD = 65_536;
const segmentName = (first: number) => `${String(first).padStart(20, '0')}.jsonl`;

/**
 * The log on disk: JSON lines in segment files named by their first offset,
 * with the window also kept in memory for replay. Every entry is written to
 * the file (one write system call) before it is handed on, so once a message
 * is acknowledged, killing the process (even with SIGKILL) does not lose it;
 * with `fsync`, neither does a crash of the machine. Segments that fall out
 * of the window are deleted whole. The epoch is kept with the log, so
 * clients resume across restarts.
 *
 * Without `fsync` a crash of the machine may lose the log's tail, but never
 * lets an offset be given twice: offsets are handed out only within a
 * reservation flushed ahead of them, and a log reopened after another boot
 * (unless it was closed cleanly) continues past its reservation. The offsets
 * in between are a hole, recorded by the name of the segment after it; a
 * read from before it is incomplete, so the clients that may have lost a
 * message are told.
 */
export class FileLog implements MessageLog {
  readonly epoch: string;
  /** Offsets after `after` up to `through` may have gone to messages a crash lost (set when this open found so). */
  readonly lostInCrash: { readonly after: number; readonly through: number } | undefined;
  private readonly memory: MemoryLog;
  private readonly segments: Segment[] = [];
  private readonly segmentsDir: string;
  private readonly segmentEntries: number;
  private fd: number | undefined;
  /** With fsync: written in this turn, not yet flushed, in offset order. */
  private uncommitted: Uncommitted[] = [];
  /** Where the uncommitted messages begin in the current segment: what a failed flush cuts back to. */
  private uncommittedFrom = 0;
  private readonly pending = new Map<string, Promise<AppendResult>>();
  private flushCount = 0;
  private readonly reserveAhead: number;
  private readonly boot: string | undefined;
  /** No offset above this has been handed out (without fsync: flushed before any is). */
  private reserved = 0;

  private constructor(private readonly options: FileLogOptions) {
    this.segmentsDir = join(options.dir, 'segments');
    this.segmentEntries = options.segmentEntries ?? 4096;
    this.reserveAhead = options.reserveAhead ?? RESERVE_AHEAD;
    if (!Number.isSafeInteger(this.reserveAhead) || this.reserveAhead < 1) {
      throw new TypeError(`message log: reserveAhead must be a positive integer, got ${String(options.reserveAhead)}`);
    }
    this.boot = readBootId(options.bootIdFile);
    mkdirSync(this.segmentsDir, { recursive: true });
    const found = readdirSync(this.segmentsDir)
      .map((name) => SEGMENT.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ first: Number(match[1]), last: Number(match[1]) - 1, path: join(this.segmentsDir, match[0]), bytes: 0 }))
      .sort((a, b) => a.first - b.first);
    const reservation = this.loadReservation();
    const kept = found.length > 0 ? this.loadEpoch() : undefined;
    // Offsets compare only within an epoch, so a new one is safe whenever the
    // old cannot be continued: its segments are gone, or nothing bounds the
    // offsets an earlier run may have handed out (no reservation: a log from
    // before reservations were kept, or a damaged one).
    const continued = kept !== undefined && reservation?.epoch === kept;
    this.epoch = continued ? kept : this.newEpoch();
    if (found.length === 0) found.push(this.createSegment(1));
    // In the same boot the page cache kept every write, so the files are
    // whole; after another, a tail that was not flushed may be missing
    // anywhere, and a torn line is not damage but a crash.
    const sameBoot = continued && this.boot !== undefined && reservation.boot === this.boot;
    this.memory = new MemoryLog(options.window, { epoch: this.epoch, head: found[0]!.first - 1 });
    for (const [index, segment] of found.entries()) this.load(segment, index === found.length - 1, !sameBoot);
    this.segments.push(...found);
    const head = this.memory.head;
    this.reserved = continued ? reservation.reserved : head;
    if (continued && head < this.reserved && !sameBoot) {
      // Offsets up to the reservation may have been handed out (acknowledged,
      // delivered) and lost: none may be given again. The next segment starts
      // after them, and its name records the hole for later restarts.
      this.lostInCrash = { after: head, through: this.reserved };
      this.memory.skip(this.reserved);
      this.segments.push(this.createSegment(this.reserved + 1));
    } else {
      this.lostInCrash = undefined;
    }
    // With fsync every offset handed out from now on is flushed in the log
    // itself: the reservation only needs to cover what came before.
    if (!continued || (options.fsync && this.reserved !== this.memory.head)) this.writeReservation(this.memory.head);
    this.dropExpiredSegments();
  }

  /** Opens (or creates) the log in `options.dir`. */
  static open(options: FileLogOptions): FileLog {
    return new FileLog(options);
  }

  get head(): number {
    return this.memory.head;
  }

  get tail(): number {
    return this.memory.tail;
  }

  /** Flushes (fdatasync) done so far: with fsync, one per group of messages committed together. */
  get flushes(): number {
    return this.flushCount;
  }

  append(entry: NewLogEntry): MaybePromise<AppendResult> {
    return this.options.fsync ? this.appendCommitted(entry) : this.appendNow(entry);
  }

  /**
   * With fsync: writes the message now, in order, and hands it on (to
   * subscribers, then to the caller) once the flush at the end of this turn
   * has made it durable. One flush commits every message of the turn, so the
   * cost of a flush is shared instead of paid per message (group commit).
   */
  private appendCommitted(entry: NewLogEntry): MaybePromise<AppendResult> {
    const previous = this.memory.findNow(entry.from.id, entry.id);
    if (previous) return { entry: previous, duplicate: true };
    const key = dedupeKey(entry.from.id, entry.id);
    const waiting = this.pending.get(key);
    if (waiting) return waiting.then((result) => ({ entry: result.entry, duplicate: true }));
    // A full segment is closed only once what was written to it is durable.
    if (this.uncommitted.length > 0 && this.full(this.segments.at(-1))) this.commit();
    const stored: LogEntry = { ...entry, offset: this.memory.head + this.uncommitted.length + 1 };
    const first = this.uncommitted.length === 0;
    const { line, before } = this.write(stored);
    if (first) this.uncommittedFrom = before;
    const promise = new Promise<AppendResult>((resolve, reject) => {
      this.uncommitted.push({ entry: stored, size: line.length, key, resolve, reject });
    });
    this.pending.set(key, promise);
    if (this.uncommitted.length === 1) setImmediate(() => this.commit());
    return promise;
  }

  /** Flushes what this turn wrote, then hands it on in order; a failed flush refuses all of it. */
  private commit(): void {
    const group = this.uncommitted;
    if (group.length === 0) return;
    this.uncommitted = [];
    for (const item of group) this.pending.delete(item.key);
    try {
      this.flushCount++;
      fdatasyncSync(this.fd!);
    } catch (error) {
      // Not durable, so not logged: cut the file back, so that a restart
      // does not bring back messages whose senders were told they failed.
      const segment = this.segments.at(-1)!;
      ftruncateSync(this.fd!, this.uncommittedFrom);
      segment.bytes = this.uncommittedFrom;
      segment.last = this.memory.head;
      for (const item of group) item.reject(error);
      return;
    }
    for (const item of group) item.resolve(this.memory.appendNow(item.entry, item.size));
    this.dropExpiredSegments();
  }

  private appendNow(entry: NewLogEntry): AppendResult {
    const previous = this.memory.findNow(entry.from.id, entry.id);
    if (previous) return { entry: previous, duplicate: true };
    const offset = this.memory.head + 1;
    // Handed out as soon as it is written: the reservation must cover it first.
    if (offset > this.reserved) this.writeReservation(offset - 1 + this.reserveAhead);
    const { line } = this.write({ ...entry, offset });
    const result = this.memory.appendNow(entry, line.length);
    this.dropExpiredSegments();
    return result;
  }

  /** Writes one entry to its segment, with one write system call; `before`: the segment's length before it. */
  private write(entry: LogEntry): { line: Buffer; before: number } {
    const line = Buffer.from(`${JSON.stringify(entry)}\n`);
    const segment = this.writable(entry.offset);
    const before = segment.bytes;
    try {
      writeSync(this.fd!, line);
    } catch (error) {
      // A write that failed halfway (disk full) must not leave half a line for
      // the next entry to be glued to: cut the file back.
      ftruncateSync(this.fd!, before);
      throw error;
    }
    segment.bytes += line.length;
    segment.last = entry.offset;
    return { line, before };
  }

  find(fromId: string, id: string): MaybePromise<LogEntry | undefined> {
    const waiting = this.pending.get(dedupeKey(fromId, id));
    return waiting ? waiting.then((result) => result.entry) : this.memory.findNow(fromId, id);
  }

  async read(after: number): Promise<{ entries: LogEntry[]; complete: boolean }> {
    return this.memory.readNow(after);
  }

  /** From the window in memory, which a restart fills again from the segments. Messages waiting for their flush (fsync) are not shown yet. */
  readBack(before: number | undefined, options: ReadBackOptions): BackPage {
    return this.memory.readBack(before, options);
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    return this.memory.subscribe(listener);
  }

  /**
   * Commits what is pending and, without fsync, flushes every segment (a
   * killed run before this one may have left some unflushed too), then
   * shrinks the reservation to the head: a log closed cleanly is whole on
   * the disk, and is continued without a hole even after a reboot.
   */
  async close(): Promise<void> {
    this.commit();
    await this.memory.close();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.options.fsync) return;
    for (const segment of this.segments) flushFile(segment.path);
    flushFolder(this.segmentsDir);
    if (this.reserved !== this.memory.head) this.writeReservation(this.memory.head);
  }

  /** The epoch in meta.json, if it can be read. */
  private loadEpoch(): string | undefined {
    try {
      const parsed = JSON.parse(readFileSync(join(this.options.dir, 'meta.json'), 'utf8')) as { epoch?: unknown };
      if (typeof parsed.epoch === 'string' && parsed.epoch) return parsed.epoch;
    } catch {
      // Missing or damaged: the caller starts a new epoch.
    }
    return undefined;
  }

  private newEpoch(): string {
    const epoch = randomBytes(6).toString('base64url');
    replaceFile(join(this.options.dir, 'meta.json'), { epoch, created: new Date().toISOString() });
    return epoch;
  }

  /** The reservation in reserved.json, if it can be read. */
  private loadReservation(): Reservation | undefined {
    try {
      const parsed = JSON.parse(readFileSync(join(this.options.dir, 'reserved.json'), 'utf8')) as Partial<Record<keyof Reservation, unknown>>;
      const { epoch, reserved, boot } = parsed;
      if (typeof epoch !== 'string' || typeof reserved !== 'number' || !Number.isSafeInteger(reserved) || reserved < 0) return undefined;
      return { epoch, reserved, ...(typeof boot === 'string' ? { boot } : {}) };
    } catch {
      return undefined;
    }
  }

  /** Flushes, before it returns, that no offset above `reserved` is handed out (outside the flushed log). */
  private writeReservation(reserved: number): void {
    const reservation: Reservation = { epoch: this.epoch, reserved, ...(this.boot !== undefined ? { boot: this.boot } : {}) };
    replaceFile(join(this.options.dir, 'reserved.json'), reservation);
    this.reserved = reserved;
  }

  /** A new, empty segment whose name (flushed) says where the offsets go on. */
  private createSegment(first: number): Segment {
    const segment = { first, last: first - 1, path: join(this.segmentsDir, segmentName(first)), bytes: 0 };
    closeSync(openSync(segment.path, 'a'));
    flushFolder(this.segmentsDir);
    return segment;
  }

  /**
   * Reads a segment back, up to its first line that is torn (no newline),
   * does not parse, or is not the next offset: a write cut short, which is
   * cut off. Only the newest segment can end so, unless the machine may have
   * crashed (`crashed`): then any segment may have lost the tail it had not
   * flushed, and the segments after it are read on, past the hole.
   */
  private load(segment: Segment, newest: boolean, crashed: boolean): void {
    if (segment.first <= this.memory.head) throw new Error(`message log: ${segment.path} overlaps the segment before it`);
    this.memory.skip(segment.first - 1);
    const content = readFileSync(segment.path);
    let position = 0;
    while (position < content.length) {
      const end = content.indexOf(0x0a, position);
      if (end < 0) break;
      const entry = parseEntry(content.toString('utf8', position, end));
      if (entry?.offset !== this.memory.head + 1) break;
      this.memory.restore(entry, end + 1 - position);
      segment.last = entry.offset;
      position = end + 1;
    }
    segment.bytes = position;
    if (position < content.length) {
      if (!newest && !crashed) throw new Error(`message log: ${segment.path} is damaged before its end (at byte ${position})`);
      const fd = openSync(segment.path, 'r+');
      ftruncateSync(fd, position);
      closeSync(fd);
    }
  }

  private full(segment: Segment | undefined): boolean {
    return !segment || segment.last - segment.first + 1 >= this.segmentEntries;
  }

  /** The segment to append `offset` to, starting a new one when the current is full. */
  private writable(offset: number): Segment {
    let current = this.segments.at(-1);
    if (!current || this.full(current)) {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      current = { first: offset, last: offset - 1, path: join(this.segmentsDir, segmentName(offset)), bytes: 0 };
      this.segments.push(current);
      this.fd = openSync(current.path, 'a');
      if (this.options.fsync) flushFolder(this.segmentsDir);
    }
    this.fd ??= openSync(current.path, 'a');
    return current;
  }

  private dropExpiredSegments(): void {
    const tail = this.memory.tail;
    while (this.segments.length > 1 && this.segments[0]!.last < tail) {
      unlinkSync(this.segments.shift()!.path);
    }
  }
}

/** A line read back as an entry, or undefined when it is not one (a torn or damaged write). */
function parseEntry(line: string): LogEntry | undefined {
  try {
    const entry = JSON.parse(line) as Partial<LogEntry> | null;
    if (typeof entry === 'object' && entry !== null && Number.isSafeInteger(entry.offset) && typeof entry.id === 'string') return entry as LogEntry;
  } catch {
    // Not JSON: torn.
  }
  return undefined;
}
