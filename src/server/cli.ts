#!/usr/bin/env node
import { bundleIntegrity } from './client-bundle.js';
import { createRelayServer } from './create-relay-server.js';
import { flushLog } from './logger.js';
import { helpText, parseCommandLine } from './cli-options.js';
import { withDemo } from './demo.js';
import { DEFAULT_SHUTDOWN_GRACE } from './options.js';

function fail(message: string): never {
  process.stderr.write(`message-center-relay: ${message}\n(see --help)\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    fail((error as Error).message);
  }
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  if (parsed.sri) {
    const integrity = bundleIntegrity();
    if (integrity === undefined) fail('the script bundle is not built yet: run npm run build');
    process.stdout.write(`${integrity}\n`);
    return;
  }
  const options = parsed.demo ? withDemo(parsed.options) : parsed.options;

  let relay;
  try {
    relay = await createRelayServer(options);
  } catch (error) {
    fail((error as Error).message);
  }
  if (parsed.demo) {
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
