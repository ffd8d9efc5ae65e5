import { randomBytes } from 'node:crypto';
import type { Peer, Target } from '../../protocol/frames.js';

export interface LogEntry {
  /** Position in the log, increasing by one per routed message within an epoch. */
  readonly offset: number;
  /** The sender's id for the message. */
  readonly id: string;
  readonly from: Peer;
  /** The targets as the sender named them; absent for broadcast. */
  readonly to?: Target;
  /** Peer ids it was addressed to; absent for broadcast (everyone online then). */
  readonly recipients?: readonly string[];
  readonly data: unknown;
  readonly ts: number;
}

export interface MemoryLogOptions {
  /** Entries kept for replay. */
  maxEntries: number;
  /** ms an entry is kept for replay. */
  maxAge: number;
}

/**
 * Every routed message with its offset, in memory, in a bounded window.
 * A new process starts a new epoch: offsets of an old epoch mean nothing here.
 */
export class MemoryLog {
  readonly epoch = randomBytes(6).toString('base64url');
  private readonly entries: LogEntry[] = [];
  private start = 0;
  private headOffset = 0;

  constructor(private readonly options: MemoryLogOptions) {}

  /** Offset of the newest entry; 0 before the first. */
  get head(): number {
    return this.headOffset;
  }

  /** Offset of the oldest entry still kept (head + 1 when none is). */
  get tail(): number {
    this.expire(Date.now());
    return this.entries.length > this.start ? this.entries[this.start]!.offset : this.headOffset + 1;
  }

  append(entry: Omit<LogEntry, 'offset'>): LogEntry {
    const stored: LogEntry = { ...entry, offset: ++this.headOffset };
    this.entries.push(stored);
    this.expire(stored.ts);
    return stored;
  }

  /** Entries after `offset`, oldest first, that are still kept. */
  since(offset: number): LogEntry[] {
    this.expire(Date.now());
    const first = this.entries[this.start];
    if (!first) return [];
    const index = Math.max(this.start, this.start + (offset + 1 - first.offset));
    return this.entries.slice(index);
  }

  private expire(now: number): void {
    const { maxEntries, maxAge } = this.options;
    while (this.entries.length - this.start > maxEntries) this.start++;
    while (this.start < this.entries.length && now - this.entries[this.start]!.ts > maxAge) this.start++;
    // Compact now and then rather than shifting on every append.
    if (this.start > 1024 && this.start > this.entries.length / 2) {
      this.entries.splice(0, this.start);
      this.start = 0;
    }
  }
}
