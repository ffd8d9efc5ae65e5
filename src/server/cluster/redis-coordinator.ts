import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createClient, type RedisClientType } from 'redis';
import { DEFAULT_ROOM } from '../../protocol/constants.js';
import type { Peer } from '../../protocol/frames.js';
import type { AppendResult, BackPage, LogEntry, LogWindow, MessageLog, NewLogEntry, ReadBackOptions } from '../log/message-log.js';
import { Sessions, type SessionLine } from '../sessions.js';
import type { Coordinator, CoordinatorHealth, PresenceEvent, Signal } from './coordinator.js';
import { RedisReadPositions } from './redis-read-positions.js';
import { APPEND, offsetOf } from './redis-stream.js';

export interface RedisCoordinatorOptions {
  /** redis://host:port/db */
  url: string;
  /** Key prefix, so several clusters (or tests) can share one Redis. Default 'mc'. */
  prefix?: string;
  window: LogWindow;
  sessionTtl: number;
  logger: Logger;
  /** ms without a heartbeat after which a node counts as dead and its clients as gone. Default 5000. */
  nodeTimeout?: number;
  /** Read positions a room keeps at most (2 × presenceThreshold). Default 400. */
  readBound?: number;
}

type Kind = 'm' | 'p' | 's';

/** Stream entries one XREVRANGE of a read back asks for. */
const READ_BACK_BATCH = 500;

/** A value of the online hash: a peer, the node it is on, and its rooms. */
interface OnlineValue {
  readonly peer: Peer;
  readonly node: string;
  readonly rooms: readonly string[];
}

/** The rooms an online value or a join event names; a node from before rooms named none: the default room. */
const roomsOf = (value: { rooms?: unknown }): readonly string[] => (Array.isArray(value.rooms) ? (value.rooms as string[]) : [DEFAULT_ROOM]);

/**
 * A relay node's share of a cluster, on Redis: the log is a stream (offsets
 * from one counter, so all nodes agree on the order), deduplication keys
 * expire with the window, sessions and who is online where are hashes that
 * a starting node reads, and every change goes through the stream so every
 * node applies it in order. Nodes heartbeat; a node that stops is reaped by
 * another, which announces its clients' departure.
 */
export class RedisCoordinator implements Coordinator {
  readonly nodeId = randomBytes(6).toString('base64url');
  readonly sessions: Sessions;
  readonly log: MessageLog;
  readonly reads: RedisReadPositions;
  private readonly keys: { epoch: string; offset: string; log: string; sessions: string; online: string; nodes: string; dedupe: string; reap: string; signal: string };
  private readonly client: RedisClientType;
  private readonly reader: RedisClientType;
  /** Subscribed to the signal channel (a subscribed connection can do nothing else). */
  private readonly subscriber: RedisClientType;
  private readonly signalListeners: Array<(signal: Signal) => void> = [];
  private readonly messageListeners = new Set<(entry: LogEntry) => void>();
  private readonly presenceListeners: Array<(event: PresenceEvent) => void> = [];
  private readonly resetListeners: Array<() => void> = [];
  /** Session changes made while Redis was unreachable, shared once it is back. */
  private readonly unsent: SessionLine[] = [];
  /** Presence this node has published (each peer with its rooms), to restore after an outage. */
  private readonly localOnline = new Map<string, OnlineValue>();
  private epochValue = '';
  private lastId = '0-0';
  private headValue = 0;
  private up = false;
  private started = false;
  private closing = false;
  private readerLoop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private nodesAlive = 1;

  private constructor(private readonly options: RedisCoordinatorOptions) {
    const prefix = options.prefix ?? 'mc';
    this.keys = {
      epoch: `${prefix}:epoch`,
      offset: `${prefix}:offset`,
      log: `${prefix}:log`,
      sessions: `${prefix}:sessions`,
      online: `${prefix}:online`,
      nodes: `${prefix}:nodes`,
      dedupe: `${prefix}:dedupe:`,
      reap: `${prefix}:reap:`,
      signal: `${prefix}:signal`,
    };
    this.client = createClient({
      url: options.url,
      // Commands fail at once while Redis is unreachable rather than queue:
      // the relay answers "unavailable" and clients keep the message in their outbox.
      disableOfflineQueue: true,
      // At start a refusal is final (the relay exits with a clear error); once running, retry for ever.
      socket: {
        reconnectStrategy: (retries, cause) => (this.started ? Math.min(50 * 2 ** retries, 2000) : cause),
        connectTimeout: 3000,
      },
    });
    this.reader = this.client.duplicate();
    this.subscriber = this.client.duplicate();
    this.sessions = new Sessions({ ttl: options.sessionTtl, node: this.nodeId, sink: (line) => this.shareSession(line) });
    this.log = this.createLog();
    this.reads = new RedisReadPositions(this.client, prefix, { bound: options.readBound ?? 400, maxAge: options.window.maxAge });
  }

  /** Connects and loads the cluster's state; rejects with a clear error when Redis cannot be reached. */
  static async connect(options: RedisCoordinatorOptions): Promise<RedisCoordinator> {
    const coordinator = new RedisCoordinator(options);
    await coordinator.start();
    return coordinator;
  }

  get available(): boolean {
    return this.up;
  }

  private async start(): Promise<void> {
    const { logger, url } = this.options;
    const failFast = (client: RedisClientType) =>
      Promise.race([
        client.connect(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref()),
      ]);
    this.client.on('error', (error: Error) => {
      if (this.up) logger.error({ event: 'redis', err: error.message }, 'redis connection lost; serving local clients, retrying');
      this.up = false;
    });
    this.reader.on('error', () => {});
    this.subscriber.on('error', () => {});
    try {
      await failFast(this.client);
      await failFast(this.reader);
      await failFast(this.subscriber);
      // Pub/sub, not the stream: signals are never kept, and a node that is away when one is sent misses it, as it should.
      await this.subscriber.subscribe(this.keys.signal, (message) => this.receiveSignal(message));
    } catch (error) {
      await this.client.destroy?.();
      throw new Error(`cannot reach Redis at ${redact(url)}: ${(error as Error).message}`);
    }
    await this.load();
    this.up = true;
    this.started = true;
    this.client.on('ready', () => {
      if (this.up || this.closing) return;
      void this.recover();
    });
    this.readerLoop = this.read();
    this.heartbeat = setInterval(() => void this.beat(), 1000);
    this.heartbeat.unref();
    await this.beat();
  }

  /** Reads the epoch, the head, the sessions and who is online elsewhere. */
  private async load(): Promise<void> {
    await this.client.set(this.keys.epoch, randomBytes(6).toString('base64url'), { NX: true });
    this.epochValue = (await this.client.get(this.keys.epoch)) ?? '';
    const newest = await this.client.xRevRange(this.keys.log, '+', '-', { COUNT: 1 });
    this.lastId = newest?.[0]?.id ?? '0-0';
    this.headValue = offsetOf(this.lastId);
    for (const value of Object.values(await this.client.hGetAll(this.keys.sessions))) {
      this.sessions.apply(JSON.parse(value) as SessionLine);
    }
    for (const value of Object.values(await this.client.hGetAll(this.keys.online))) {
      const online = JSON.parse(value) as OnlineValue;
      if (online.node !== this.nodeId) this.emitPresence({ kind: 'join', peer: online.peer, node: online.node, rooms: roomsOf(online) });
    }
  }

  /**
   * Redis is back after an outage. Same epoch: share what changed here
   * meanwhile and carry on reading where the stream was left. New epoch
   * (Redis lost its data): everything this node knew is void; its clients
   * must start over.
   */
  private async recover(): Promise<void> {
    const { logger } = this.options;
    try {
      const epoch = await this.client.get(this.keys.epoch);
      if (epoch !== this.epochValue) {
        logger.warn({ event: 'redis', previous: this.epochValue }, 'redis came back without the cluster state: new epoch');
        // The sessions belonged to the lost state: no client can resume them.
        this.sessions.clear();
        for (const listener of this.resetListeners) listener();
        this.localOnline.clear();
        this.unsent.length = 0;
        await this.load();
      } else {
        // Shared in order; one that fails stays for the next attempt.
        while (this.unsent.length > 0) {
          await this.writeSession(this.unsent[0]!);
          this.unsent.shift();
        }
        for (const [peerId, online] of this.localOnline) {
          await this.appendEvent('p', { kind: 'join', peer: online.peer, node: this.nodeId, rooms: online.rooms }, 'hset', peerId, online);
        }
      }
      this.up = true;
      logger.info({ event: 'redis', epoch: this.epochValue }, 'redis connection back; caught up');
    } catch (error) {
      logger.error({ event: 'redis', err: (error as Error).message }, 'redis recovery failed; retrying');
      setTimeout(() => void this.recover(), 500).unref();
    }
  }

  // ── the log ─────────────────────────────────────────────────────────────

  private createLog(): MessageLog {
    const coordinator = this;
    const window = this.options.window;
    return {
      get epoch() {
        return coordinator.epochValue;
      },
      get head() {
        return coordinator.headValue;
      },
      async append(entry: NewLogEntry): Promise<AppendResult> {
        const dedupe = `${coordinator.keys.dedupe}${entry.from.id}:${entry.id}`;
        const [duplicate, offset] = await coordinator.appendRaw('m', entry, dedupe);
        if (duplicate) {
          const previous = await coordinator.entryAt(offset);
          return { entry: previous ?? { ...entry, offset }, duplicate: true };
        }
        coordinator.headValue = Math.max(coordinator.headValue, offset);
        return { entry: { ...entry, offset }, duplicate: false };
      },
      async find(fromId: string, id: string) {
        const offset = await coordinator.client.get(`${coordinator.keys.dedupe}${fromId}:${id}`);
        return offset === null ? undefined : coordinator.entryAt(Number(offset));
      },
      async read(after: number) {
        const oldest = await coordinator.client.xRange(coordinator.keys.log, '-', '+', { COUNT: 1 });
        const first = oldest?.[0] ? offsetOf(oldest[0].id) : coordinator.headValue + 1;
        const raw = await coordinator.client.xRange(coordinator.keys.log, `0-${after + 1}`, '+');
        const entries = (raw ?? []).filter((item) => item.message.k === 'm').map((item) => coordinator.toEntry(item.id, item.message.v!));
        // Messages past the window's age are not replayed, and their loss is a gap.
        const fresh = entries.filter((e) => Date.now() - e.ts <= window.maxAge);
        return { entries: fresh, complete: after >= first - 1 && fresh.length === entries.length };
      },
      readBack: (before: number | undefined, options: ReadBackOptions) => this.readBack(before, options),
      subscribe(listener: (entry: LogEntry) => void) {
        coordinator.messageListeners.add(listener);
        return () => coordinator.messageListeners.delete(listener);
      },
      close: () => this.close(),
    };
  }

  private async appendRaw(kind: Kind, value: unknown, dedupe = '', hashOp: '' | 'hset' | 'hdel' = '', field = '', hashValue?: unknown): Promise<[boolean, number]> {
    const hash = kind === 's' ? this.keys.sessions : this.keys.online;
    const reply = (await this.client.eval(APPEND, {
      keys: [this.keys.offset, this.keys.log, hash],
      arguments: [
        kind,
        JSON.stringify({ ...(value as object), origin: this.nodeId }),
        String(this.options.window.maxEntries * 2),
        String(this.options.window.maxAge),
        dedupe,
        hashOp,
        field,
        hashValue === undefined ? '' : JSON.stringify(hashValue),
      ],
    })) as [number, number];
    return [reply[0] === 1, Number(reply[1])];
  }

  private appendEvent(kind: 'p' | 's', value: unknown, hashOp: 'hset' | 'hdel', field: string, hashValue?: unknown): Promise<[boolean, number]> {
    return this.appendRaw(kind, value, '', hashOp, field, hashValue);
  }

  /**
   * The stream backwards, in batches, skipping the presence and session
   * events it holds between the messages. A message older than the window's
   * age ends it, as if the stream ended there: replay does not reach it either.
   */
  private async readBack(before: number | undefined, options: ReadBackOptions): Promise<BackPage> {
    const { visible, limit, maxScan, floor = 0 } = options;
    const oldest = Date.now() - this.options.window.maxAge;
    const found: LogEntry[] = [];
    if (before !== undefined && before <= 1) return backPage(found, false, undefined);
    let scanned = 0;
    let lowest: number | undefined;
    let end = before === undefined ? '+' : `0-${before - 1}`;
    for (;;) {
      if (found.length >= limit || scanned >= maxScan) break;
      const count = Math.min(READ_BACK_BATCH, maxScan - scanned);
      const batch = (await this.client.xRevRange(this.keys.log, end, '-', { COUNT: count })) ?? [];
      for (const { id, message } of batch) {
        const offset = offsetOf(id);
        if (offset < floor || found.length >= limit || scanned >= maxScan) return backPage(found, offset >= floor, lowest);
        scanned++;
        lowest = offset;
        if (message.k !== 'm') continue;
        const entry = this.toEntry(id, message.v!);
        if (entry.ts < oldest) return backPage(found, false, lowest);
        if (visible(entry)) found.push(entry);
      }
      if (batch.length < count || lowest === undefined || lowest <= 1) return backPage(found, false, lowest);
      end = `0-${lowest - 1}`;
    }
    // Stopped at the limit or the scan's bound: older entries may be kept.
    return backPage(found, true, lowest);
  }

  private async entryAt(offset: number): Promise<LogEntry | undefined> {
    const [item] = (await this.client.xRange(this.keys.log, `0-${offset}`, `0-${offset}`)) ?? [];
    return item?.message.v ? this.toEntry(item.id, item.message.v) : undefined;
  }

  private toEntry(id: string, value: string): LogEntry {
    const { origin: _, ...entry } = JSON.parse(value) as NewLogEntry & { origin?: string };
    return { ...entry, offset: offsetOf(id) };
  }

  /** Follows the stream: every message, presence change and session change, from every node, in order. */
  private async read(): Promise<void> {
    while (!this.closing) {
      let reply: Awaited<ReturnType<RedisClientType['xRead']>>;
      try {
        reply = await this.reader.xRead({ key: this.keys.log, id: this.lastId }, { BLOCK: 1000, COUNT: 512 });
      } catch {
        if (this.closing) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const streams = (reply ?? []) as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }>;
      for (const stream of streams) {
        for (const { id, message } of stream.messages) {
          this.lastId = id;
          this.headValue = Math.max(this.headValue, offsetOf(id));
          this.dispatch(id, message.k as Kind, message.v!);
        }
      }
    }
  }

  private dispatch(id: string, kind: Kind, value: string): void {
    try {
      if (kind === 'm') {
        const entry = this.toEntry(id, value);
        for (const listener of [...this.messageListeners]) listener(entry);
        return;
      }
      const parsed = JSON.parse(value) as { origin?: string };
      if (kind === 's') {
        // Our own changes were applied when we made them.
        if (parsed.origin !== this.nodeId) this.sessions.apply(parsed as SessionLine);
        return;
      }
      const event = parsed as PresenceEvent;
      this.emitPresence(event.kind === 'join' ? { ...event, rooms: roomsOf(event) } : event);
    } catch (error) {
      this.options.logger.error({ err: error, id }, 'could not apply a cluster event');
    }
  }

  // ── presence and sessions ───────────────────────────────────────────────

  publish(event: PresenceEvent): void {
    let write: Promise<unknown>;
    switch (event.kind) {
      case 'join': {
        const online: OnlineValue = { peer: event.peer, node: this.nodeId, rooms: event.rooms };
        this.localOnline.set(event.peer.id, online);
        write = this.appendEvent('p', event, 'hset', event.peer.id, online);
        break;
      }
      case 'rooms': {
        const known = this.localOnline.get(event.peerId);
        if (!known) return;
        const online: OnlineValue = { ...known, rooms: event.rooms };
        this.localOnline.set(event.peerId, online);
        write = this.appendEvent('p', event, 'hset', event.peerId, online);
        break;
      }
      case 'leave':
        this.localOnline.delete(event.peer.id);
        write = this.appendEvent('p', event, 'hdel', event.peer.id);
        break;
      default:
        write = this.appendEvent('p', event, 'hdel', '\u0000');
    }
    // Unreachable: shared again by recover() once Redis is back.
    write.catch(() => undefined);
  }

  onPresence(listener: (event: PresenceEvent) => void): void {
    this.presenceListeners.push(listener);
  }

  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  signal(signal: Signal): void {
    // Lost while Redis is unreachable: a signal is only worth anything now.
    this.client.publish(this.keys.signal, JSON.stringify(signal)).catch(() => undefined);
  }

  onSignal(listener: (signal: Signal) => void): void {
    this.signalListeners.push(listener);
  }

  private receiveSignal(message: string): void {
    let signal: Signal;
    try {
      signal = JSON.parse(message) as Signal;
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not read a cluster signal');
      return;
    }
    for (const listener of this.signalListeners) listener(signal);
  }

  private emitPresence(event: PresenceEvent): void {
    for (const listener of this.presenceListeners) listener(event);
  }

  private shareSession(line: SessionLine): void {
    this.writeSession(line)?.catch(() => this.unsent.push(line));
  }

  /** A change to a session, to the stream; the hash keeps the whole session it belongs to. */
  private writeSession(line: SessionLine): Promise<unknown> | undefined {
    if (line.deleted) return this.appendEvent('s', line, 'hdel', line.key);
    const whole = this.sessions.line(line.key);
    return whole && this.appendEvent('s', line, 'hset', line.key, whole);
  }

  // ── nodes ───────────────────────────────────────────────────────────────

  /** Says this node is alive, and reaps a node that stopped saying so. */
  private async beat(): Promise<void> {
    if (!this.up) return;
    const now = Date.now();
    const timeout = this.options.nodeTimeout ?? 5000;
    try {
      await this.client.hSet(this.keys.nodes, this.nodeId, String(now));
      const nodes = Object.entries(await this.client.hGetAll(this.keys.nodes));
      const dead = nodes.filter(([, seen]) => now - Number(seen) > timeout).map(([node]) => node);
      // Counted before reaping: the reap's leave notices reach clients while it still runs.
      this.nodesAlive = nodes.length - dead.length;
      for (const node of dead) {
        // One node reaps it; the others hear of it through the stream.
        const won = await this.client.set(`${this.keys.reap}${node}`, this.nodeId, { NX: true, PX: 60_000 });
        if (won) await this.reap(node);
      }
    } catch {
      // Redis unreachable: the error handler says so; next beat tries again.
    }
  }

  private async reap(node: string): Promise<void> {
    const online = await this.client.hGetAll(this.keys.online);
    let peers = 0;
    for (const value of Object.values(online)) {
      const entry = JSON.parse(value) as OnlineValue;
      if (entry.node !== node) continue;
      peers++;
      await this.appendEvent('p', { kind: 'leave', peer: entry.peer, node }, 'hdel', entry.peer.id);
    }
    for (const session of this.sessions.departNode(node)) void session;
    await this.client.hDel(this.keys.nodes, node);
    this.options.logger.warn({ event: 'reaped', node, peers }, 'a node stopped: its clients are gone (they may resume elsewhere)');
  }

  health(): CoordinatorHealth {
    return { redis: this.up ? 'up' : 'down', node: this.nodeId, nodes: this.nodesAlive };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    try {
      if (this.up) {
        // Leaving on purpose: the others need not wait for the reaper.
        await this.client.hDel(this.keys.nodes, this.nodeId);
      }
    } catch {
      // Going anyway.
    }
    await Promise.allSettled([this.client.close(), this.reader.close(), this.subscriber.close()]);
    await this.readerLoop;
  }
}

function backPage(newestFirst: LogEntry[], more: boolean, lowest: number | undefined): BackPage {
  return { entries: newestFirst.reverse(), more, ...(lowest !== undefined ? { before: lowest } : {}) };
}

/** A Redis URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
