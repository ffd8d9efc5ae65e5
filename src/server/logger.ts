import { pino, type Logger } from 'pino';

/**
 * Bytes of log lines held for stdout while it is not taking them (a stuck
 * supervisor or log shipper): lines beyond are dropped, counted, and the
 * count is logged once stdout takes lines again.
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

const BASE = { service: 'message-center-relay' };

type Destination = ReturnType<typeof pino.destination>;

let shared: Destination | undefined;
/** Set as the process exits: from then on nothing may wait for stdout. */
let exiting = false;

/**
 * The process's stdout as a log destination, one for every relay in the
 * process: written asynchronously, at most LOG_BUFFER_BYTES buffered, and
 * never able to hold the process up as it exits.
 */
function stdoutDestination(): Destination {
  if (shared) return shared;
  // Opening process.stdout makes a pipe non-blocking (libuv does that for
  // stdio streams). Left blocking, a write to a pipe nobody reads would
  // block the thread for good; non-blocking, it fails with EAGAIN, and the
  // line waits in the bounded buffer or is dropped.
  void process.stdout;
  void process.stderr;
  const destination = pino.destination({
    dest: 1,
    sync: false,
    maxLength: LOG_BUFFER_BYTES,
    // Any line is written at once all the same; with 0, flush(callback)
    // would call back at once instead of when the buffer has drained.
    minLength: 1,
    // While running, a full pipe is retried on a timer (sonic-boom's own).
    // At exit the only retry left would be a synchronous sleep-and-retry
    // loop, which is what kept a relay alive for hours after SIGTERM.
    retryEAGAIN: () => !exiting,
  });
  // Runs before pino's own exit hook (prepended), so that hook finds either
  // an empty buffer or a destroyed destination, and never loops.
  process.prependListener('exit', () => {
    exiting = true;
    try {
      destination.flushSync();
    } catch {
      // stdout takes no more: what is left is dropped.
      destination.destroy();
    }
  });
  const reporter = pino({ base: BASE }, destination);
  let dropped = 0;
  destination.on('drop', () => {
    dropped += 1; // pino writes one line per write
  });
  destination.on('drain', () => {
    if (dropped === 0) return;
    const count = dropped;
    dropped = 0;
    reporter.warn({ event: 'log_lines_dropped', dropped: count }, `dropped ${count} log lines while stdout was not taking them`);
  });
  shared = destination;
  return destination;
}

/**
 * Waits until every buffered log line is written to stdout, or `timeout` ms.
 * Resolves true if they all got out.
 */
export function flushLog(timeout: number): Promise<boolean> {
  const destination = shared;
  if (!destination) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeout);
    timer.unref();
    destination.flush(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function underTest(): boolean {
  return process.env.NODE_ENV === 'test' || process.env.NODE_TEST_CONTEXT !== undefined;
}

/** One JSON line per event on stdout; silent under test unless a level is asked for. */
export function createLogger(option: Logger | string | false | undefined): Logger {
  if (option === false) return pino({ level: 'silent' });
  if (typeof option === 'object') return option;
  const level = option ?? process.env.MESSAGE_CENTER_LOG_LEVEL ?? (underTest() ? 'silent' : 'info');
  if (level === 'silent') return pino({ level });
  return pino({ level, base: BASE }, stdoutDestination());
}
