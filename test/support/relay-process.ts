import { spawn, type ChildProcess } from 'node:child_process';

export interface RelayProcess {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** When it logged that it was listening (ms since the epoch). */
  readonly listeningAt: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface RelayProcessOptions {
  /** Run the built CLI (dist/server/cli.js, as `npx message-center-relay` does) instead of src/ through tsx. */
  built?: boolean;
  /**
   * Once it is listening, stop reading its stdout and stderr, as a stuck
   * supervisor or log shipper would: the pipes fill up and stay full.
   * `child.stdout` is left paused, for a test to read later. Default: both are drained.
   */
  unread?: boolean;
}

/**
 * Runs the relay CLI as a real process (so it can be killed with SIGKILL),
 * resolving once it logs that it is listening. `env` adds to the test's own
 * environment.
 */
export async function startRelayProcess(
  args: string[],
  port = 0,
  env: Record<string, string> = {},
  options: RelayProcessOptions = {},
): Promise<RelayProcess> {
  // A restart on the port a killed relay had: meanwhile the system may have lent that port to
  // some other test's outgoing connection (ports come from the same range as port 0's). It is
  // given back when that connection ends; try again for a while rather than fail the test.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await startOnce(args, port, env, options);
    } catch (error) {
      if (port === 0 || !String(error).includes('EADDRINUSE') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function startOnce(args: string[], port: number, env: Record<string, string>, options: RelayProcessOptions): Promise<RelayProcess> {
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const entry = options.built ? ['dist/server/cli.js'] : ['--import', 'tsx', 'src/server/cli.ts'];
  const child = spawn(process.execPath, [...entry, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'info', ...args], {
    env: { ...inherited, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const onStderr = (chunk: Buffer) => (stderr += chunk.toString());
  child.stderr!.on('data', onStderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<{ port: number }>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        child.stdout!.off('data', onData);
        if (options.unread) {
          child.stdout!.pause();
          child.stderr!.off('data', onStderr);
          child.stderr!.pause();
        } else {
          child.stdout!.resume();
        }
        resolve(JSON.parse(line) as { port: number });
        return;
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`relay exited (${code}) before listening: ${stderr}`)));
  });
  const listeningAt = Date.now();
  return {
    port: listening.port,
    url: `ws://127.0.0.1:${listening.port}/`,
    child,
    listeningAt,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
