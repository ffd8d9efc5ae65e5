/** Polls until `predicate` holds, failing with `message` after `timeout` ms. */
export async function waitFor(predicate: () => boolean, message: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
