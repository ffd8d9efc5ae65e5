/**
 * How long a test waits for an outcome before it counts as failed. Generous,
 * because the suite must pass on a machine that other work keeps busy; a
 * passing test never waits this long, so it costs nothing.
 */
export const DEADLINE_MS = 15_000;

/** Polls until `predicate` holds, failing with `message` after `timeout` ms. */
export async function waitFor(predicate: () => boolean, message: string | (() => string), timeout = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for: ${typeof message === 'string' ? message : message()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
