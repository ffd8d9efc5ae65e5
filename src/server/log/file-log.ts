import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { MemoryLog } from './memory-log.js';
import type { AppendResult, LogEntry, LogWindow, MaybePromise, MessageLog, NewLogEntry } from './message-log.js';

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
const dedupeKey = (fromId: string, id: string) => `${fromId}\u0000${id}`;
const segmentName = (first: number) => `${String(first).padStart(20, '0')}.jsonl`;

/**
 * The log on disk: JSON lines in segment files named by their first offset,
 * with the window also kept in memory for replay. Every entry is written to
 * the file (one write system call) before it is handed on, so once a message
 * is acknowledged, killing the process (even with SIGKILL) does not lose it;
 * with `fsync`, neither does a crash of the machine. Segments that fall out
 * of the window are deleted whole. The epoch is kept with the log, so
 * clients resume across restarts.
 */
export class FileLog implements MessageLog {
  epoch: string;
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

  private constructor(private readonly options: FileLogOptions) {
    this.segmentsDir = join(options.dir, 'segments');
    this.segmentEntries = options.segmentEntries ?? 4096;
    mkdirSync(this.segmentsDir, { recursive: true });
    const found = readdirSync(this.segmentsDir)
      .map((name) => SEGMENT.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ first: Number(match[1]), last: Number(match[1]) - 1, path: join(this.segmentsDir, match[0]), bytes: 0 }))
      .sort((a, b) => a.first - b.first);
    if (found.length === 0) {
      // A new log (or one whose segments were deleted: its offsets are gone,
      // so clients of an earlier run must learn that from a new epoch). It
      // starts with an empty first segment, so a restart before the first
      // message keeps the epoch.
      this.epoch = this.newEpoch();
      const first = { first: 1, last: 0, path: join(this.segmentsDir, segmentName(1)), bytes: 0 };
      closeSync(openSync(first.path, 'a'));
      found.push(first);
    } else {
      this.epoch = this.loadEpoch();
    }
    this.memory = new MemoryLog(options.window, { epoch: this.epoch, head: (found[0]?.first ?? 1) - 1 });
    for (const [index, segment] of found.entries()) this.load(segment, index === found.length - 1);
    this.segments.push(...found);
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
    const { line } = this.write({ ...entry, offset: this.memory.head + 1 });
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

  subscribe(listener: (entry: LogEntry) => void): () => void {
    return this.memory.subscribe(listener);
  }

  async close(): Promise<void> {
    this.commit();
    await this.memory.close();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private loadEpoch(): string {
    const meta = join(this.options.dir, 'meta.json');
    try {
      const parsed = JSON.parse(readFileSync(meta, 'utf8')) as { epoch?: unknown };
      if (typeof parsed.epoch === 'string' && parsed.epoch) return parsed.epoch;
    } catch {
      // No log here yet: start one.
    }
    return this.newEpoch();
  }

  private newEpoch(): string {
    const meta = join(this.options.dir, 'meta.json');
    const epoch = randomBytes(6).toString('base64url');
    const temporary = `${meta}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ epoch, created: new Date().toISOString() })}\n`);
    if (this.options.fsync) this.flushFile(temporary);
    renameSync(temporary, meta);
    if (this.options.fsync) this.flushFile(this.options.dir);
    return epoch;
  }

  /** fsync a file or a folder (a new file's name is durable only once its folder is). */
  private flushFile(path: string): void {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Reads a segment back. A torn last line (the process died mid-write) is cut off. */
  private load(segment: Segment, newest: boolean): void {
    const text = readFileSync(segment.path, 'utf8');
    let position = 0;
    while (position < text.length) {
      const end = text.indexOf('\n', position);
      if (end < 0) break; // no newline: torn
      const line = text.slice(position, end);
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        break;
      }
      if (entry.offset === this.memory.head + 1) this.memory.restore(entry, Buffer.byteLength(line) + 1);
      segment.last = entry.offset;
      position = end + 1;
    }
    segment.bytes = Buffer.byteLength(text.slice(0, position));
    if (position < text.length) {
      if (!newest) throw new Error(`message log: ${segment.path} is damaged before its end (at byte ${segment.bytes})`);
      const fd = openSync(segment.path, 'r+');
      ftruncateSync(fd, segment.bytes);
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
      if (this.options.fsync) this.flushFile(this.segmentsDir);
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
