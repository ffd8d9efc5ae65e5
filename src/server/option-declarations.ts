// Every option of the relay, declared once: the CLI's parser and its --help
// (cli-options.ts) and the options table of docs/relay.md (scripts/docs-sections.ts)
// are produced from this list, and test/node/relay-options.test.ts fails when
// one of them, or resolveOptions()'s defaults, disagrees with it.
import { DEFAULT_LOG_WINDOW } from './log/message-log.js';
import { DEFAULT_LIMITS, DEFAULT_PRESENCE, DEFAULT_REDIS_PREFIX, DEFAULT_SESSION_TTL, DEFAULT_SHUTDOWN_GRACE, type RelayServerOptions } from './options.js';

/**
 * How a flag's text becomes an option's value:
 * - `integer`: a whole number (anything else exits with "--FLAG needs a whole number");
 * - `string`: as given; `path`: resolved against the working folder;
 * - `trust`: `true`, `false`, a hop count, or a comma-separated list (trustProxy);
 * - `boolean`: a switch without a value, setting the option to `value` (default true);
 * - `json`: a JSON value (anything else exits with "--FLAG needs JSON"), checked further by createRelayServer();
 * - `function`: createRelayServer() only.
 */
export type OptionType = 'integer' | 'string' | 'path' | 'trust' | 'boolean' | 'json' | 'function';

export interface OptionDeclaration {
  /** The createRelayServer() option it sets (none for a switch of the CLI's own). */
  readonly option?: keyof RelayServerOptions;
  /** Options a CLI switch sets beyond `option`, named in the docs only (the CLI wires them itself). */
  readonly alsoSets?: ReadonlyArray<keyof RelayServerOptions>;
  /** The flag, without its dashes (none: the option is for createRelayServer() or the environment only). */
  readonly flag?: string;
  /** A one-letter alias of the flag. */
  readonly short?: string;
  /** What --help calls the flag's value. */
  readonly arg?: string;
  readonly type: OptionType;
  /** With `type: 'boolean'`: the value the switch sets (default true). */
  readonly value?: boolean;
  /** The flag may be given more than once; the option takes them all, as a list. */
  readonly repeatable?: boolean;
  /**
   * An environment variable that sets the option when the flag is not given
   * (an empty one is ignored).
   */
  readonly env?: string;
  /** The environment variable is read only together with this flag. */
  readonly envNeeds?: string;
  /** The value when neither is given, as the relay applies it (resolveOptions, or the CLI's own for `cliDefault`). */
  readonly default?: number | string;
  /** The CLI's default where createRelayServer() has none (it needs `port`). */
  readonly cliDefault?: number;
  /** The default when it is not a value ("all interfaces"). */
  readonly defaultText?: string;
  /**
   * What the option does, one sentence in Markdown (`code`, [links](…)): the
   * docs show it as it is, --help without the marks and links.
   */
  readonly description: string;
}

/** In the order --help and the docs list them. */
export const OPTION_DECLARATIONS: readonly OptionDeclaration[] = [
  { flag: 'port', arg: 'N', option: 'port', type: 'integer', cliDefault: 3001, description: 'port to listen on; 0 picks a free one' },
  { flag: 'host', arg: 'ADDR', option: 'host', type: 'string', defaultText: 'all interfaces', description: 'interface to listen on' },
  { flag: 'path', arg: '/PATH', option: 'path', type: 'string', defaultText: 'every path', description: 'accept WebSocket upgrades on this path only' },
  {
    flag: 'trust-proxy',
    arg: 'SPEC',
    option: 'trustProxy',
    type: 'trust',
    defaultText: 'off',
    description: "believe `X-Forwarded-For` from: `true`, a hop count, or addresses/CIDRs, comma-separated (as Express's `trust proxy`)",
  },
  {
    flag: 'jwt-secret',
    arg: 'SECRET',
    option: 'jwtSecret',
    type: 'string',
    env: 'MESSAGE_CENTER_JWT_SECRET',
    defaultText: 'none',
    description:
      'require an HS256 JWT signed with this secret (at least 32 bytes), as `?token=` or `Authorization: Bearer` (in the environment, `ps` does not show it)',
  },
  {
    flag: 'jwks-url',
    arg: 'URL',
    option: 'jwksUrl',
    type: 'string',
    defaultText: 'none',
    description: 'require a JWT signed by a key of this JWKS (RS256, ES256, EdDSA, …)',
  },
  { flag: 'jwt-issuer', arg: 'ISS', option: 'jwtIssuer', type: 'string', defaultText: 'not checked', description: 'with a JWT: the `iss` it must carry' },
  { flag: 'jwt-audience', arg: 'AUD', option: 'jwtAudience', type: 'string', defaultText: 'not checked', description: 'with a JWT: an `aud` it must carry' },
  {
    flag: 'jwt-allow-no-expiry',
    option: 'jwtAllowNoExpiry',
    type: 'boolean',
    defaultText: 'refused',
    description: 'with a JWT: accept tokens without `exp`, which never expire',
  },
  {
    option: 'authenticate',
    type: 'function',
    defaultText: 'none',
    description: 'your own check: `(request) => ({ userId, name? })`, or null to refuse',
  },
  {
    option: 'authorize',
    type: 'function',
    defaultText: 'every room',
    description:
      'your own room rules: `({ room, peer, identity, addr }) => boolean | Promise<boolean>`, asked for every room a connection enters after the token\'s `rooms` claim; false, a throw or a rejection refuses it (`room_forbidden`)',
  },
  {
    flag: 'allow-origin',
    arg: 'ORIGIN',
    option: 'allowOrigins',
    type: 'string',
    repeatable: true,
    defaultText: "the relay's own origin (`--demo`: any)",
    description: "web pages from this origin may connect (`*` for any); pages from the relay's own host always may",
  },
  {
    flag: 'expose-addresses',
    option: 'exposeAddresses',
    type: 'boolean',
    defaultText: 'shown without a token, hidden with one',
    description: "show clients each other's network addresses, and let them address messages by them",
  },
  {
    flag: 'hide-addresses',
    option: 'exposeAddresses',
    type: 'boolean',
    value: false,
    description: 'do not show them, even without a token',
  },
  {
    flag: 'max-frame-bytes',
    arg: 'N',
    option: 'maxFrameBytes',
    type: 'integer',
    default: DEFAULT_LIMITS.maxFrameBytes,
    description: 'larger frames get `too_large`; 4× this closes the socket (1009)',
  },
  {
    flag: 'max-messages-per-second',
    arg: 'N',
    option: 'maxMessagesPerSecond',
    type: 'integer',
    default: DEFAULT_LIMITS.maxMessagesPerSecond,
    description: 'sustained frames per second per connection',
  },
  { flag: 'burst', arg: 'N', option: 'burst', type: 'integer', default: DEFAULT_LIMITS.burst, description: 'frames at once above that rate' },
  {
    flag: 'flood-threshold',
    arg: 'N',
    option: 'floodThreshold',
    type: 'integer',
    default: DEFAULT_LIMITS.floodThreshold,
    description: 'refused frames in one second before the connection is closed (1008 `flood`)',
  },
  {
    flag: 'max-connections-per-address',
    arg: 'N',
    option: 'maxConnectionsPerAddress',
    type: 'integer',
    default: DEFAULT_LIMITS.maxConnectionsPerAddress,
    description: 'one more is refused (1008 `too_many_connections`)',
  },
  {
    flag: 'max-connections',
    arg: 'N',
    option: 'maxConnections',
    type: 'integer',
    default: DEFAULT_LIMITS.maxConnections,
    description: 'one more is refused (1013 `server_full`)',
  },
  {
    flag: 'max-buffered-bytes',
    arg: 'N',
    option: 'maxBufferedBytes',
    type: 'integer',
    default: DEFAULT_LIMITS.maxBufferedBytes,
    description: 'unsent bytes for one client before it is cut off as a slow consumer',
  },
  {
    flag: 'heartbeat-interval',
    arg: 'MS',
    option: 'heartbeatInterval',
    type: 'integer',
    default: DEFAULT_LIMITS.heartbeatInterval,
    description: 'ms between pings; a peer that misses one is dropped',
  },
  {
    flag: 'hello-timeout',
    arg: 'MS',
    option: 'helloTimeout',
    type: 'integer',
    default: DEFAULT_LIMITS.helloTimeout,
    description: 'ms a v1 client has to say hello (then 4408)',
  },
  {
    flag: 'data-dir',
    arg: 'DIR',
    option: 'dataDir',
    type: 'path',
    defaultText: 'memory only',
    description:
      'keep the message log and the sessions on disk: a restart (even after SIGKILL) loses nothing acknowledged, and clients resume ([Nothing lost](durability.md))',
  },
  {
    flag: 'fsync',
    option: 'fsync',
    type: 'boolean',
    defaultText: 'off',
    description:
      'with `--data-dir`: flush to disk before acknowledging (one `fdatasync` per event-loop turn, shared by its messages); without it a machine crash may lose the newest messages, and resuming clients are told of a gap',
  },
  {
    option: 'bootIdFile',
    type: 'string',
    env: 'MESSAGE_CENTER_BOOT_ID_FILE',
    envNeeds: 'data-dir',
    defaultText: '/proc/sys/kernel/random/boot_id',
    description:
      "with `--data-dir`: the file naming the machine's current boot, which tells a killed relay from a crashed machine ([After a crash](durability.md#after-a-crash)); for tests, and systems that keep it elsewhere",
  },
  {
    flag: 'log-max-entries',
    arg: 'N',
    option: 'logMaxEntries',
    type: 'integer',
    default: DEFAULT_LOG_WINDOW.maxEntries,
    description: 'messages kept for replay and deduplication',
  },
  { flag: 'log-max-age', arg: 'MS', option: 'logMaxAge', type: 'integer', default: DEFAULT_LOG_WINDOW.maxAge, description: 'ms they are kept' },
  { flag: 'log-max-bytes', arg: 'N', option: 'logMaxBytes', type: 'integer', default: DEFAULT_LOG_WINDOW.maxBytes, description: 'bytes of messages kept' },
  {
    flag: 'room-retention',
    arg: 'JSON',
    option: 'roomRetention',
    type: 'json',
    defaultText: 'the log window',
    description:
      'how far back `history` shows each room\'s broadcasts: `{"ROOM": {"maxAge": MS, "maxMessages": N}}`, `"*"` for every room not listed; it can only show less than the log keeps ([History](relay.md#history))',
  },
  {
    flag: 'presence-threshold',
    arg: 'N',
    option: 'presenceThreshold',
    type: 'integer',
    default: DEFAULT_PRESENCE.presenceThreshold,
    description:
      'a room with more members than this is large: its rosters are partial (`partial: true`) and its joins and leaves come batched in `presence` frames',
  },
  {
    flag: 'presence-roster-size',
    arg: 'N',
    option: 'presenceRosterSize',
    type: 'integer',
    default: DEFAULT_PRESENCE.presenceRosterSize,
    description: "peers in a large room's roster (welcome, `joined`): its most recently active members",
  },
  {
    flag: 'presence-interval',
    arg: 'MS',
    option: 'presenceInterval',
    type: 'integer',
    default: DEFAULT_PRESENCE.presenceInterval,
    description: "ms between a large room's `presence` frames (at most one per room per interval, from each node)",
  },
  {
    flag: 'session-ttl',
    arg: 'MS',
    option: 'sessionTtl',
    type: 'integer',
    default: DEFAULT_SESSION_TTL,
    description: "ms a disconnected client's session is kept: it can resume, and messages to it wait",
  },
  {
    flag: 'redis',
    arg: 'URL',
    option: 'redis',
    type: 'string',
    defaultText: 'none',
    description:
      'run as one node of a cluster on this Redis (`redis://host:port`), exclusive with `--data-dir`; exits if it cannot be reached at start ([Cluster](relay.md#cluster))',
  },
  {
    flag: 'redis-prefix',
    arg: 'PREFIX',
    option: 'redisPrefix',
    type: 'string',
    default: DEFAULT_REDIS_PREFIX,
    description: 'key prefix in Redis, so several clusters can share one',
  },
  {
    flag: 'log-level',
    arg: 'LEVEL',
    option: 'logger',
    type: 'string',
    defaultText: '`info` (`silent` under test)',
    description:
      'fatal | error | warn | info | debug | silent: one JSON line per event on stdout; when stdout does not take them, up to 4 MiB wait, then lines are dropped and their count is logged once it takes them again',
  },
  {
    flag: 'shutdown-grace',
    arg: 'MS',
    option: 'shutdownGrace',
    type: 'integer',
    default: DEFAULT_SHUTDOWN_GRACE,
    description:
      'on SIGTERM/SIGINT: close every connection (1001), flush the log, and exit within this many ms whatever hangs: with 0 if all that was done in time, else 1',
  },
  {
    flag: 'demo',
    alsoSets: ['static', 'demoControls'],
    type: 'boolean',
    defaultText: 'off',
    description:
      'also serve the demo page at `/`, with its controls (drop a connection, restart the relay); never on a public host. The script bundle is served in every mode: `/message-center.min.js`, `/message-center@VERSION.min.js`',
  },
  {
    flag: 'sri',
    type: 'boolean',
    description: "print the script bundle's subresource integrity (`sha384-…`, the value of `integrity=`; also served at `/message-center@VERSION.min.js.sri`) and start nothing",
  },
  { flag: 'help', short: 'h', type: 'boolean', description: 'this text' },
];
