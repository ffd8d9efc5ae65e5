#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRelayServer } from './create-relay-server.js';
import { flushLog } from './logger.js';
import { packageRoot } from './package-files.js';
import { DEFAULT_LIMITS, DEFAULT_SHUTDOWN_GRACE, type RelayLimits, type RelayServerOptions } from './options.js';

const HELP = `Usage: message-center-relay [options]

Starts the Message Center relay (in memory, or durable with --data-dir).

  --port N                       port to listen on (default 3001; 0 = any free port)
  --host ADDR                    interface to listen on (default: all)
  --path /PATH                   accept WebSocket upgrades on this path only (default: any)
  --trust-proxy SPEC             believe X-Forwarded-For from: true | hop count | addresses/CIDRs, comma-separated
  --demo                         also serve the demo page at /, with its controls (drop a connection,
                                 restart the relay); not for public hosts. The script bundle is served in
                                 every mode: /message-center.min.js, /message-center@VERSION.min.js
  --log-level LEVEL              fatal | error | warn | info | debug | silent (default info); the log is
                                 JSON lines on stdout: when stdout does not take them, up to 4 MiB wait,
                                 then lines are dropped and their count is logged once it takes them again
  --shutdown-grace MS            on SIGTERM/SIGINT: close every connection (1001), flush the log, and exit
                                 within this many ms whatever hangs: with 0 if all that was done in time,
                                 else 1 (default ${DEFAULT_SHUTDOWN_GRACE})
  --data-dir DIR                 keep the message log and sessions on disk: a restart (even after SIGKILL)
                                 loses nothing acknowledged, and clients resume (default: memory only)
  --fsync                        with --data-dir: flush to disk before every acknowledgement (without it, a
                                 machine crash may lose the newest messages: resuming clients are told of a gap)
  --log-max-entries N            messages kept for replay and deduplication (default 10000)
  --log-max-age MS               how long they are kept (default 3600000)
  --log-max-bytes N              bytes of messages kept (default 67108864)
  --session-ttl MS               how long a disconnected client's session is kept (default 900000)
  --jwt-secret SECRET            require an HS256 JWT signed with this secret (at least 32 bytes), as ?token=
                                 or Authorization: Bearer; or set MESSAGE_CENTER_JWT_SECRET (not shown by ps)
  --jwks-url URL                 require a JWT signed by a key from this JWKS (RS256, ES256, EdDSA, …)
  --jwt-issuer ISS               with a JWT: the iss it must carry
  --jwt-audience AUD             with a JWT: an aud it must carry
  --jwt-allow-no-expiry          with a JWT: accept tokens without exp, which never expire (default: refused)
  --allow-origin ORIGIN          web pages from this origin may connect (repeatable; * for any); pages from
                                 the relay's own host always may (default: only those; --demo: any)
  --expose-addresses             show clients each other's network addresses (default: yes without a
                                 token, no with one)
  --hide-addresses               do not show them, even without a token
  --redis URL                    run as one node of a cluster on this Redis (redis://host:port); exits if it
                                 cannot be reached at start
  --redis-prefix PREFIX          key prefix in Redis (default mc)
  --max-frame-bytes N            default ${DEFAULT_LIMITS.maxFrameBytes}
  --max-messages-per-second N    default ${DEFAULT_LIMITS.maxMessagesPerSecond}
  --burst N                      default ${DEFAULT_LIMITS.burst}
  --flood-threshold N            default ${DEFAULT_LIMITS.floodThreshold}
  --max-connections-per-address N  default ${DEFAULT_LIMITS.maxConnectionsPerAddress}
  --max-connections N            default ${DEFAULT_LIMITS.maxConnections}
  --max-buffered-bytes N         default ${DEFAULT_LIMITS.maxBufferedBytes}
  --heartbeat-interval MS        default ${DEFAULT_LIMITS.heartbeatInterval}
  --hello-timeout MS             default ${DEFAULT_LIMITS.helloTimeout}
  -h, --help                     this text

Environment:
  MESSAGE_CENTER_JWT_SECRET      as --jwt-secret
  MESSAGE_CENTER_BOOT_ID_FILE    with --data-dir: the file naming the machine's current boot (default
                                 /proc/sys/kernel/random/boot_id), which tells a killed relay from a crashed
                                 machine; for tests, and systems that keep it elsewhere
`;

const LIMIT_FLAGS: Record<string, keyof RelayLimits> = {
  'max-frame-bytes': 'maxFrameBytes',
  'max-messages-per-second': 'maxMessagesPerSecond',
  burst: 'burst',
  'flood-threshold': 'floodThreshold',
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'max-connections': 'maxConnections',
  'max-buffered-bytes': 'maxBufferedBytes',
  'heartbeat-interval': 'heartbeatInterval',
  'hello-timeout': 'helloTimeout',
};

function fail(message: string): never {
  process.stderr.write(`message-center-relay: ${message}\n(see --help)\n`);
  process.exit(2);
}

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) fail(`--${flag} needs a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseTrust(value: string): RelayServerOptions['trustProxy'] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}

/** Authentication, origins and addresses from the flags (the secret also from the environment). */
function access(values: Record<string, unknown>): Partial<RelayServerOptions> {
  if (values['expose-addresses'] && values['hide-addresses']) fail('give --expose-addresses or --hide-addresses, not both');
  const secret = values['jwt-secret'] ?? process.env.MESSAGE_CENTER_JWT_SECRET;
  const origins = values['allow-origin'] as string[] | undefined;
  return {
    ...(typeof secret === 'string' && secret !== '' ? { jwtSecret: secret } : {}),
    ...(values['jwks-url'] !== undefined ? { jwksUrl: String(values['jwks-url']) } : {}),
    ...(values['jwt-issuer'] !== undefined ? { jwtIssuer: String(values['jwt-issuer']) } : {}),
    ...(values['jwt-audience'] !== undefined ? { jwtAudience: String(values['jwt-audience']) } : {}),
    ...(values['jwt-allow-no-expiry'] ? { jwtAllowNoExpiry: true } : {}),
    ...(origins !== undefined ? { allowOrigins: origins } : {}),
    ...(values['expose-addresses'] ? { exposeAddresses: true } : values['hide-addresses'] ? { exposeAddresses: false } : {}),
  };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        'trust-proxy': { type: 'string' },
        demo: { type: 'boolean' },
        'log-level': { type: 'string' },
        'shutdown-grace': { type: 'string' },
        'data-dir': { type: 'string' },
        fsync: { type: 'boolean' },
        'log-max-entries': { type: 'string' },
        'log-max-age': { type: 'string' },
        'log-max-bytes': { type: 'string' },
        'session-ttl': { type: 'string' },
        'jwt-secret': { type: 'string' },
        'jwks-url': { type: 'string' },
        'jwt-issuer': { type: 'string' },
        'jwt-audience': { type: 'string' },
        'jwt-allow-no-expiry': { type: 'boolean' },
        'allow-origin': { type: 'string', multiple: true },
        'expose-addresses': { type: 'boolean' },
        'hide-addresses': { type: 'boolean' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const options: RelayServerOptions = {
    port: values.port !== undefined ? integer('port', String(values.port)) : 3001,
    ...(values.host !== undefined ? { host: String(values.host) } : {}),
    ...(values.path !== undefined ? { path: String(values.path) } : {}),
    ...(values['trust-proxy'] !== undefined ? { trustProxy: parseTrust(String(values['trust-proxy'])) } : {}),
    ...(values['log-level'] !== undefined ? { logger: String(values['log-level']) } : {}),
    ...(values['shutdown-grace'] !== undefined ? { shutdownGrace: integer('shutdown-grace', String(values['shutdown-grace'])) } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: resolve(String(values['data-dir'])) } : {}),
    ...(values.fsync ? { fsync: true } : {}),
    ...(values['data-dir'] !== undefined && process.env.MESSAGE_CENTER_BOOT_ID_FILE ? { bootIdFile: process.env.MESSAGE_CENTER_BOOT_ID_FILE } : {}),
    ...(values['log-max-entries'] !== undefined ? { logMaxEntries: integer('log-max-entries', String(values['log-max-entries'])) } : {}),
    ...(values['log-max-age'] !== undefined ? { logMaxAge: integer('log-max-age', String(values['log-max-age'])) } : {}),
    ...(values['log-max-bytes'] !== undefined ? { logMaxBytes: integer('log-max-bytes', String(values['log-max-bytes'])) } : {}),
    ...(values['session-ttl'] !== undefined ? { sessionTtl: integer('session-ttl', String(values['session-ttl'])) } : {}),
    ...access(values),
    ...(values.redis !== undefined ? { redis: String(values.redis) } : {}),
    ...(values['redis-prefix'] !== undefined ? { redisPrefix: String(values['redis-prefix']) } : {}),
  };
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) {
    const value = values[flag];
    if (value !== undefined) options[key] = integer(flag, String(value));
  }
  if (values.demo) {
    const root = packageRoot();
    options.demoControls = true;
    // The framework demos run on other ports and connect here.
    options.allowOrigins ??= ['*'];
    options.static = { root: resolve(root, 'demo') };
  }

  let relay;
  try {
    relay = await createRelayServer(options);
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.demo) {
    process.stderr.write(`Message Center demo: http://localhost:${relay.port}/  (relay at ws://localhost:${relay.port}/)\n`);
  }

  const grace = options.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    const deadline = Date.now() + grace;
    // Nothing below blocks the thread (writing the log included), so this
    // fires even if closing or flushing never finishes.
    setTimeout(() => process.exit(1), grace).unref();
    process.stderr.write(`\n${signal}: closing every connection (1001) and stopping\n`);
    void relay.close().then(
      async () => {
        // close() gives up on what hangs at the deadline: then this is late.
        const flushed = Date.now() < deadline && (await flushLog(deadline - Date.now()));
        process.exit(flushed ? 0 : 1);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
