import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { DEFAULT_ROOM } from '../protocol/constants.js';
import type { Peer } from '../protocol/frames.js';
import type { TokenBucket } from '../protocol/token-bucket.js';

/** A private message delivered to a session, waiting for its client to confirm it processed it. */
/**
 * Receipts a session's client still owes, three slots each: the message's
 * offset, its id, and its sender's peer id (to send the receipt to). Flat
 * rather than one object per receipt: they wait for the client's report,
 * often across a young-generation collection, which copies every object that
 * survives it.
 */
export type PendingReceipts = Array<number | string>;
export const RECEIPT_SLOTS = 3;

/**
 * Adds a private message written to a session's client to `list`, in offset
 * order and once (a replay after a live copy is not added again). Bounded: a
 * client that never reports cannot grow it; past `max` receipts the oldest
 * go, down to `keep`, all at once, so a full list costs nothing per message.
 */
export function owe(list: PendingReceipts, message: { readonly offset: number; readonly id: string; readonly from: Peer }, max: number, keep: number): void {
  if (list.length > 0 && (list[list.length - RECEIPT_SLOTS] as number) >= message.offset) return;
  list.push(message.offset, message.id, message.from.id);
  if (list.length > max * RECEIPT_SLOTS) list.splice(0, list.length - keep * RECEIPT_SLOTS);
}

/**
 * A v1 client's identity across connections: created at its first hello,
 * taken back with the secret token by a later hello (`resume`), and kept
 * while away for the session TTL, so messages addressed to it meanwhile are
 * replayed when it returns.
 */
export class Session {
  /** A live connection on this node, or undefined (away, or connected to another node). */
  connection: unknown;
  /** The node its connection is on, while connected (in a cluster). */
  node: string | undefined;
  /** When the last connection ended (undefined while connected). */
  awaySince: number | undefined;
  readonly receipts: PendingReceipts = [];
  /** Private messages written to its client that it has not reported read yet (same slots, oldest first): whose sender to tell. */
  readonly unread: PendingReceipts = [];
  /**
   * Its rate limit, continued by every connection that resumes it here, so
   * that reconnecting does not refill it. Kept in memory only: a restart, or
   * a move to another node of a cluster, starts a full one.
   */
  bucket: TokenBucket | undefined;
  /** The rooms it is in (its client's, while connected): while away, it is owed their broadcasts. */
  rooms: readonly string[] = [DEFAULT_ROOM];

  constructor(
    /** SHA-256 of the token: the token itself is never stored. */
    readonly key: string,
    readonly peerId: string,
    public name: string,
    public addr: string,
    /** The log's head when the session began: it is owed nothing older. */
    readonly joinedOffset: number,
    /** With authentication: the user it belongs to. Only that user's token can take it back. */
    readonly user?: string,
  ) {}

  get peer(): Peer {
    return { id: this.peerId, name: this.name, addr: this.addr };
  }
}

/** One change to a session, as kept on disk and as sent to the other nodes of a cluster. */
export interface SessionLine {
  key: string;
  node?: string | null;
  peerId?: string;
  name?: string;
  addr?: string;
  joinedOffset?: number;
  user?: string;
  awaySince?: number | null;
  /** Absent from lines written before rooms: the default room. */
  rooms?: readonly string[];
  deleted?: true;
}

const lineOf = (s: Session): SessionLine => ({
  key: s.key,
  peerId: s.peerId,
  name: s.name,
  addr: s.addr,
  joinedOffset: s.joinedOffset,
  awaySince: s.awaySince ?? null,
  node: s.node ?? null,
  rooms: s.rooms,
  ...(s.user !== undefined ? { user: s.user } : {}),
});

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface SessionsOptions {
  /** ms a session is kept after its connection ended. */
  ttl: number;
  /** Keep sessions in this file (JSON lines) so they survive restarts. */
  file?: string;
  /** Flush the file to disk after every change. */
  fsync?: boolean;
  /** Also hands every change here (a cluster shares them with the other nodes). */
  sink?: (line: SessionLine) => void;
  /** This node's name, recorded with the sessions connected to it. */
  node?: string;
}

/** Every session this relay knows, connected or away, optionally kept on disk. */
export class Sessions {
  private readonly byKey = new Map<string, Session>();
  private readonly byPeer = new Map<string, Session>();
  /** Sessions that are away, by name and by address: what targets that match no connection can still reach. */
  private readonly awayByName = new Map<string, Set<Session>>();
  private readonly awayByAddr = new Map<string, Set<Session>>();

  constructor(private readonly options: SessionsOptions) {
    if (options.file) this.load(options.file);
  }

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<Session> {
    return this.byKey.values();
  }

  /** A new session for `peer`; returns it with its token, which only the client gets. */
  create(peer: Peer, joinedOffset: number, user?: string, rooms: readonly string[] = [DEFAULT_ROOM]): { session: Session; token: string } {
    const token = randomBytes(18).toString('base64url');
    const session = new Session(hash(token), peer.id, peer.name, peer.addr, joinedOffset, user);
    session.node = this.options.node;
    session.rooms = rooms;
    this.add(session);
    this.persist({
      key: session.key,
      peerId: session.peerId,
      name: session.name,
      addr: session.addr,
      joinedOffset,
      awaySince: null,
      node: this.options.node ?? null,
      rooms,
      ...(user !== undefined ? { user } : {}),
    });
    return { session, token };
  }

  /** Its client is in these rooms now. */
  setRooms(session: Session, rooms: readonly string[]): void {
    session.rooms = rooms;
    if (this.byKey.get(session.key) === session) this.persist({ key: session.key, rooms });
  }

  /** The session a resume token names, unless it is unknown or expired. */
  find(token: string, now = Date.now()): Session | undefined {
    const session = this.byKey.get(hash(token));
    if (!session) return undefined;
    if (this.expired(session, now)) {
      this.remove(session);
      return undefined;
    }
    return session;
  }

  /** The session with this peer id, unless it expired. */
  byPeerId(peerId: string, now = Date.now()): Session | undefined {
    const session = this.byPeer.get(peerId);
    if (session && this.expired(session, now)) {
      this.remove(session);
      return undefined;
    }
    return session;
  }

  /** Sessions away (and not expired) with this name, or at this address. */
  away(match: { name?: string; addr?: string }, now = Date.now()): Session[] {
    const index = match.name !== undefined ? this.awayByName.get(match.name) : this.awayByAddr.get(match.addr ?? '');
    if (!index) return [];
    const found: Session[] = [];
    for (const session of [...index]) {
      if (this.expired(session, now)) this.remove(session);
      else found.push(session);
    }
    return found;
  }

  /** Its connection ended; it is kept, away, for the TTL. */
  depart(session: Session, now = Date.now()): void {
    if (this.byKey.get(session.key) !== session) return; // forgotten meanwhile (expired, or the state was lost)
    session.connection = undefined;
    session.node = undefined;
    session.awaySince = now;
    this.index(session);
    this.persist({ key: session.key, awaySince: now, node: null });
  }

  /** A connection took it (back). */
  arrive(session: Session, connection: unknown, addr: string): void {
    if (this.byKey.get(session.key) !== session) return;
    this.unindex(session);
    session.connection = connection;
    session.node = this.options.node;
    session.awaySince = undefined;
    session.addr = addr;
    this.persist({ key: session.key, awaySince: null, addr, node: this.options.node ?? null });
  }

  /**
   * A change made on another node. Applying the same change twice, or an
   * older snapshot after it, is harmless: a line only sets what it carries.
   */
  apply(line: SessionLine): void {
    const existing = this.byKey.get(line.key);
    if (line.deleted) {
      if (existing) this.remove(existing, false);
      return;
    }
    if (!existing) {
      if (line.peerId === undefined || line.joinedOffset === undefined) return;
      const session = new Session(line.key, line.peerId, line.name ?? '', line.addr ?? '', line.joinedOffset, line.user);
      session.awaySince = typeof line.awaySince === 'number' ? line.awaySince : undefined;
      session.node = line.node ?? undefined;
      if (line.rooms !== undefined) session.rooms = line.rooms;
      this.add(session);
      return;
    }
    // Its connection here has been taken over elsewhere: the relay closes it.
    this.unindex(existing);
    if (line.addr !== undefined) existing.addr = line.addr;
    if (line.awaySince !== undefined) existing.awaySince = line.awaySince ?? undefined;
    if (line.node !== undefined) existing.node = line.node ?? undefined;
    if (line.rooms !== undefined) existing.rooms = line.rooms;
    if (existing.node !== undefined && existing.node !== this.options.node) existing.connection = undefined;
    if (existing.awaySince !== undefined) this.index(existing);
  }

  /** Every session as one line each: what a node that joins a cluster starts from. */
  snapshot(): SessionLine[] {
    return [...this.byKey.values()].map(lineOf);
  }

  /** One session as a whole line, if it is known. */
  line(key: string): SessionLine | undefined {
    const session = this.byKey.get(key);
    return session && lineOf(session);
  }

  /** Forgets every session, telling no one: the state they belonged to is gone (a cluster lost it). */
  clear(): void {
    this.byKey.clear();
    this.byPeer.clear();
    this.awayByName.clear();
    this.awayByAddr.clear();
  }

  /** Marks every session connected to `node` as away (that node died). Returns them. */
  departNode(node: string, now = Date.now()): Session[] {
    const departed = [...this.byKey.values()].filter((s) => s.node === node && s.awaySince === undefined);
    for (const session of departed) this.depart(session, now);
    return departed;
  }

  /** Removes sessions away for longer than the TTL; returns them. */
  sweep(now = Date.now()): Session[] {
    const expired = [...this.byKey.values()].filter((session) => this.expired(session, now));
    for (const session of expired) this.remove(session);
    return expired;
  }

  private expired(session: Session, now: number): boolean {
    return session.awaySince !== undefined && now - session.awaySince > this.options.ttl;
  }

  private add(session: Session): void {
    this.byKey.set(session.key, session);
    this.byPeer.set(session.peerId, session);
    if (session.awaySince !== undefined) this.index(session);
  }

  private remove(session: Session, share = true): void {
    if (this.byKey.get(session.key) !== session) return;
    this.byKey.delete(session.key);
    if (this.byPeer.get(session.peerId) === session) this.byPeer.delete(session.peerId);
    this.unindex(session);
    if (share) this.persist({ key: session.key, deleted: true });
  }

  private index(session: Session): void {
    for (const [map, key] of [
      [this.awayByName, session.name],
      [this.awayByAddr, session.addr],
    ] as const) {
      let set = map.get(key);
      if (!set) map.set(key, (set = new Set()));
      set.add(session);
    }
  }

  private unindex(session: Session): void {
    for (const [map, key] of [
      [this.awayByName, session.name],
      [this.awayByAddr, session.addr],
    ] as const) {
      const set = map.get(key);
      set?.delete(session);
      if (set?.size === 0) map.delete(key);
    }
  }

  private persist(line: SessionLine): void {
    this.options.sink?.(line);
    if (!this.options.file) return;
    const fd = openSync(this.options.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      if (this.options.fsync) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Reads the sessions back (every one is away after a restart, from now on)
   * and rewrites the file with only the live ones.
   */
  private load(file: string): void {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const lines = new Map<string, SessionLine>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: SessionLine;
      try {
        line = JSON.parse(raw) as SessionLine;
      } catch {
        continue; // a torn last line
      }
      if (line.deleted) lines.delete(line.key);
      else lines.set(line.key, { ...lines.get(line.key), ...line });
    }
    const now = Date.now();
    for (const line of lines.values()) {
      if (line.peerId === undefined || line.joinedOffset === undefined) continue;
      const session = new Session(line.key, line.peerId, line.name ?? '', line.addr ?? '', line.joinedOffset, line.user);
      session.awaySince = typeof line.awaySince === 'number' ? line.awaySince : now;
      if (line.rooms !== undefined) session.rooms = line.rooms;
      if (!this.expired(session, now)) this.add(session);
    }
    const compacted = [...this.byKey.values()]
      .map((s) =>
        JSON.stringify({ key: s.key, peerId: s.peerId, name: s.name, addr: s.addr, joinedOffset: s.joinedOffset, awaySince: s.awaySince, user: s.user, rooms: s.rooms }),
      )
      .join('\n');
    writeFileSync(`${file}.tmp`, compacted ? `${compacted}\n` : '');
    renameSync(`${file}.tmp`, file);
  }
}
