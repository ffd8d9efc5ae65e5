import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { validateAuthOptions, type AuthOptions, type Authorize } from './auth.js';
import { DEFAULT_LOG_WINDOW, type LogWindow } from './log/message-log.js';
import { compileOriginCheck } from './origin.js';
import { validateRoomRetention, type RoomRetention } from './retention.js';

export interface RelayLimits {
  /** Largest frame answered with a `too_large` error rather than read (bytes). Four times this closes the socket (1009). */
  maxFrameBytes: number;
  /** Sustained frames per second per connection. */
  maxMessagesPerSecond: number;
  /** Frames a connection may send at once above the sustained rate. */
  burst: number;
  /** Rejected frames in one second above which a connection is closed for flooding (1008 "flood"). */
  floodThreshold: number;
  /** Open connections per network address; one more is refused (1008 "too_many_connections"). */
  maxConnectionsPerAddress: number;
  /** Open connections in all; one more is refused (1013 "server_full"). */
  maxConnections: number;
  /** Bytes waiting to be written to one connection before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
  /** ms between ws pings; a peer that has not answered the previous one is dropped. Also the advised app-level ping interval. */
  heartbeatInterval: number;
  /** ms a v1 client has to send `hello` (closed with 4408 otherwise). */
  helloTimeout: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxFrameBytes: 64 * 1024,
  maxMessagesPerSecond: 20,
  burst: 40,
  floodThreshold: 100,
  maxConnectionsPerAddress: 50,
  maxConnections: 10_000,
  maxBufferedBytes: 1024 * 1024,
  heartbeatInterval: 25_000,
  helloTimeout: 10_000,
};

/** ms a shutdown may take, by default (`shutdownGrace`, `--shutdown-grace`). */
export const DEFAULT_SHUTDOWN_GRACE = 10_000;

/** ms a disconnected client's session is kept, by default (`sessionTtl`, `--session-ttl`). */
export const DEFAULT_SESSION_TTL = 15 * 60 * 1000;

/** How presence is told in rooms, by default: the `presence*` options. */
export const DEFAULT_PRESENCE: PresenceOptions = {
  presenceThreshold: 200,
  presenceRosterSize: 50,
  presenceInterval: 1000,
};

/** How a room's presence is told: peer by peer in small rooms, summarised in large ones. */
export interface PresenceOptions {
  /**
   * A room with more members than this is large: its welcome and `joined`
   * rosters are partial, and its joins and leaves are batched in `presence`
   * frames instead of told one by one.
   */
  presenceThreshold: number;
  /** Peers in a large room's partial roster: its most recently active members. */
  presenceRosterSize: number;
  /** ms between a large room's `presence` frames, at most one per room per interval. */
  presenceInterval: number;
}

/** Key prefix in Redis, by default (`redisPrefix`, `--redis-prefix`). */
export const DEFAULT_REDIS_PREFIX = 'mc';

export interface DurabilityOptions {
  /**
   * Keep the message log and the sessions in this folder, so that a relay
   * killed and restarted loses nothing it acknowledged and clients resume
   * where they were. Default: memory only (a restart starts a new epoch).
   */
  dataDir?: string;
  /** With dataDir: flush messages to the disk before delivering and acknowledging them (survives machine crashes); one flush per event-loop turn's messages (group commit). */
  fsync?: boolean;
  /**
   * With dataDir: the file whose content names the machine's current boot.
   * Default Linux's /proc/sys/kernel/random/boot_id. A relay restarted in the
   * same boot knows its log is whole (the page cache kept every write); after
   * another boot, without fsync, it continues past every offset it may have
   * handed out, and tells resuming clients of a gap. For tests (a new boot is
   * a new content) and systems that keep the boot id elsewhere.
   */
  bootIdFile?: string;
  /** Messages kept for replay and deduplication. Default 10000. */
  logMaxEntries?: number;
  /** ms a message is kept for replay and deduplication. Default 3600000 (1 hour). */
  logMaxAge?: number;
  /** Bytes of messages kept. Default 67108864 (64 MiB). */
  logMaxBytes?: number;
  /**
   * How far back `history` shows each room's broadcasts, by room (`*`: every
   * room not listed): none older than `maxAge` ms, none beyond the room's
   * newest `maxMessages`. Only ever shows less than the log keeps (the log
   * window bounds what is kept at all, for replay too). Default: no rule.
   */
  roomRetention?: RoomRetention;
  /** ms a client's session is kept after it disconnects (it can resume, and messages to it wait). Default 900000 (15 minutes). */
  sessionTtl?: number;
  /**
   * Run as one node of a cluster on this Redis (redis://host:port/db): the
   * log, the sessions and who is online are shared by every node with the
   * same Redis and prefix. Exclusive with `dataDir`.
   */
  redis?: string;
  /** Key prefix in Redis, so several clusters can share one. Default 'mc'. */
  redisPrefix?: string;
}

/** Who may connect, and what others learn about them (SECURITY.md). */
export interface AccessOptions extends AuthOptions {
  /**
   * Web pages from these origins may connect (`https://app.example.com`),
   * besides pages served from the relay's own host; `['*']` lets every page
   * in. Clients that send no Origin header (not browsers) are not checked.
   * Default: the relay's own origin only.
   */
  allowOrigins?: readonly string[];
  /**
   * Show clients each other's network addresses (in rosters, presence and
   * `from`), and let them address messages by address. Default: true without
   * authentication (as the original server did), false with it.
   */
  exposeAddresses?: boolean;
  /**
   * Your own room rules, asked for every room a connection enters (see
   * `Authorize`), after the token's `rooms` claim. Default: every room.
   */
  authorize?: Authorize;
}

export interface RelayServerOptions extends Partial<RelayLimits>, Partial<PresenceOptions>, DurabilityOptions, AccessOptions {
  /** Listen on this port (0 picks a free one). Either this or `server`. */
  port?: number;
  /** Interface to listen on with `port`. Default: all. */
  host?: string;
  /** Attach to this existing HTTP server instead of listening. Either this or `port`. */
  server?: HttpServer;
  /** Handle WebSocket upgrades on this path only (others are left to other handlers). Default: every path. */
  path?: string;
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), as
   * in Express: `true` (any), a hop count, or addresses/CIDRs/'loopback'.
   * Default: none; the socket's own address is used.
   */
  trustProxy?: boolean | number | string | readonly string[];
  /** Serve these files over HTTP from the same port (the demo, the script bundle). */
  static?: StaticFiles;
  /** A pino logger, a level name, or false for none. Default: 'info', or 'silent' under test. */
  logger?: Logger | string | false;
  /**
   * Demo controls over HTTP, for the demo page only: `POST /demo/drop?name=N`
   * drops that user's connections as a network failure would, and
   * `POST /demo/restart` restarts the relay (an in-memory relay loses its state,
   * one with `dataDir` keeps it). Never enable this where strangers can reach it.
   * The CLI's `--demo` sets it; the controls live in demo.ts, loaded only then.
   * With it, the HTML pages of `static.root` load the script bundle with its
   * `integrity` (added as each page is served).
   */
  demoControls?: boolean;
  /**
   * ms `close()` may take: every socket gets 1001 and a moment (half of
   * this, at most 2 s) for its closing handshake before it is cut, and
   * anything still pending at the end (Redis, the disk) is let go. The CLI
   * also ends its process within it on SIGTERM/SIGINT. Default 10000.
   */
  shutdownGrace?: number;
}

export interface StaticFiles {
  /** A folder served at `/` (index.html for `/`). */
  root?: string;
  /** Single files by URL path, e.g. `{ '/message-center.min.js': 'dist/message-center.min.js' }`. */
  files?: Record<string, string>;
}

export interface ResolvedOptions extends RelayLimits, PresenceOptions {
  port: number | undefined;
  host: string | undefined;
  server: HttpServer | undefined;
  path: string | undefined;
  trustProxy: RelayServerOptions['trustProxy'];
  static: StaticFiles | undefined;
  demoControls: boolean;
  shutdownGrace: number;
  dataDir: string | undefined;
  fsync: boolean;
  bootIdFile: string | undefined;
  logWindow: LogWindow;
  roomRetention: RoomRetention;
  sessionTtl: number;
  allowOrigins: readonly string[] | undefined;
  exposeAddresses: boolean;
  auth: AuthOptions;
  authorize: Authorize | undefined;
  redis: string | undefined;
  redisPrefix: string;
}

const positiveInteger = (name: keyof RelayLimits, value: number): void => {
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`createRelayServer: ${name} must be a positive integer, got ${String(value)}`);
  }
};

/** Applies defaults and validates, naming the option (or the conflict) that is wrong. */
export function resolveOptions(options: RelayServerOptions): ResolvedOptions {
  if (options.port !== undefined && options.server !== undefined) {
    throw new TypeError('createRelayServer: give either `port` (listen) or `server` (attach to yours), not both');
  }
  if (options.port === undefined && options.server === undefined) {
    throw new TypeError('createRelayServer: give `port` to listen (0 for any free port) or `server` to attach to');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
    throw new TypeError(`createRelayServer: port must be an integer from 0 to 65535, got ${String(options.port)}`);
  }
  if (options.server !== undefined && options.host !== undefined) {
    throw new TypeError('createRelayServer: `host` applies only with `port`; your `server` already chose where it listens');
  }
  if (options.path !== undefined && !options.path.startsWith('/')) {
    throw new TypeError(`createRelayServer: path must start with "/", got ${JSON.stringify(options.path)}`);
  }
  const limits: RelayLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof RelayLimits>) {
    const value = options[key];
    if (value === undefined) continue;
    positiveInteger(key, value);
    limits[key] = value;
  }
  if (limits.burst < 1) throw new TypeError('createRelayServer: burst must be at least 1');
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value <= 0) throw new TypeError(`createRelayServer: ${name} must be a positive integer, got ${String(value)}`);
    return value;
  };
  validateAuthOptions(options);
  if (options.authorize !== undefined && typeof options.authorize !== 'function') {
    throw new TypeError('createRelayServer: authorize must be a function ({ room, peer, identity, addr }) => boolean | Promise<boolean>');
  }
  if (options.allowOrigins !== undefined) {
    if (!Array.isArray(options.allowOrigins)) throw new TypeError('createRelayServer: allowOrigins must be an array of origins');
    compileOriginCheck(options.allowOrigins); // throws a TypeError naming an entry that is not an origin
  }
  const authenticated = options.jwtSecret !== undefined || options.jwksUrl !== undefined || options.authenticate !== undefined;
  if (options.fsync && !options.dataDir) {
    throw new TypeError('createRelayServer: `fsync` needs `dataDir` (there is nothing on disk to flush without it)');
  }
  if (options.redis !== undefined && options.dataDir !== undefined) {
    throw new TypeError('createRelayServer: give either `redis` (a cluster keeps its state there) or `dataDir` (one relay on disk), not both');
  }
  if (options.redis !== undefined && !/^rediss?:\/\//.test(options.redis)) {
    throw new TypeError(`createRelayServer: redis must be a redis:// or rediss:// URL, got ${JSON.stringify(options.redis)}`);
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    throw new TypeError('createRelayServer: dataDir must be a folder path');
  }
  if (options.bootIdFile !== undefined) {
    if (typeof options.bootIdFile !== 'string' || options.bootIdFile === '') throw new TypeError('createRelayServer: bootIdFile must be a file path');
    if (!options.dataDir) throw new TypeError('createRelayServer: `bootIdFile` needs `dataDir` (only a log on disk outlives a boot)');
  }
  return {
    ...limits,
    port: options.port,
    host: options.host,
    server: options.server,
    path: options.path,
    trustProxy: options.trustProxy,
    static: options.static,
    demoControls: options.demoControls ?? false,
    shutdownGrace: positive('shutdownGrace', options.shutdownGrace, DEFAULT_SHUTDOWN_GRACE),
    dataDir: options.dataDir,
    fsync: options.fsync ?? false,
    bootIdFile: options.bootIdFile,
    logWindow: {
      maxEntries: positive('logMaxEntries', options.logMaxEntries, DEFAULT_LOG_WINDOW.maxEntries),
      maxAge: positive('logMaxAge', options.logMaxAge, DEFAULT_LOG_WINDOW.maxAge),
      maxBytes: positive('logMaxBytes', options.logMaxBytes, DEFAULT_LOG_WINDOW.maxBytes),
    },
    roomRetention: options.roomRetention === undefined ? {} : validateRoomRetention(options.roomRetention),
    sessionTtl: positive('sessionTtl', options.sessionTtl, DEFAULT_SESSION_TTL),
    allowOrigins: options.allowOrigins,
    exposeAddresses: options.exposeAddresses ?? !authenticated,
    auth: {
      ...(options.jwtSecret !== undefined ? { jwtSecret: options.jwtSecret } : {}),
      ...(options.jwksUrl !== undefined ? { jwksUrl: options.jwksUrl } : {}),
      ...(options.jwtIssuer !== undefined ? { jwtIssuer: options.jwtIssuer } : {}),
      ...(options.jwtAudience !== undefined ? { jwtAudience: options.jwtAudience } : {}),
      ...(options.jwtAllowNoExpiry !== undefined ? { jwtAllowNoExpiry: options.jwtAllowNoExpiry } : {}),
      ...(options.authenticate !== undefined ? { authenticate: options.authenticate } : {}),
      ...(options.authTimeout !== undefined ? { authTimeout: options.authTimeout } : {}),
    },
    authorize: options.authorize,
    presenceThreshold: positive('presenceThreshold', options.presenceThreshold, DEFAULT_PRESENCE.presenceThreshold),
    presenceRosterSize: positive('presenceRosterSize', options.presenceRosterSize, DEFAULT_PRESENCE.presenceRosterSize),
    presenceInterval: positive('presenceInterval', options.presenceInterval, DEFAULT_PRESENCE.presenceInterval),
    redis: options.redis,
    redisPrefix: options.redisPrefix ?? DEFAULT_REDIS_PREFIX,
  };
}
