/** How long a request (join, leave, who, history) waits for its answer. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Why a request failed: the relay's error code, `timeout`, `offline` (the link went before the answer came) or `unsupported` (the legacy format). */
export class ChatRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChatRequestError';
  }
}

interface Waiting {
  readonly resolve: (frame: never) => void;
  readonly reject: (error: ChatRequestError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The client's requests to the relay that wait for an answer, by the id the
 * answer echoes. Each fails after `REQUEST_TIMEOUT_MS`, and all fail at once
 * when the link goes: an answer cannot arrive on the next one.
 */
export class Requests {
  readonly #waiting = new Map<string, Waiting>();
  #next = 0;

  /** Sends a request through `write` with a fresh id; resolves with the frame `answer` is later called with. */
  ask<A>(write: (id: string) => void, timeoutMs = REQUEST_TIMEOUT_MS): Promise<A> {
    const id = `q${++this.#next}`;
    return new Promise<A>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(id, 'timeout', `no answer from the relay within ${timeoutMs / 1000} s`), timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      this.#waiting.set(id, { resolve: resolve as (frame: never) => void, reject, timer });
      write(id);
    });
  }

  /** The answer to request `id` arrived; returns whether one was waiting for it. */
  answer(id: string | undefined, frame: unknown): boolean {
    const waiting = this.#take(id);
    waiting?.resolve(frame as never);
    return waiting !== undefined;
  }

  /** Request `id` failed; returns whether one was waiting. */
  fail(id: string | undefined, code: string, message: string): boolean {
    const waiting = this.#take(id);
    waiting?.reject(new ChatRequestError(code, message));
    return waiting !== undefined;
  }

  failAll(code: string, message: string): void {
    for (const id of [...this.#waiting.keys()]) this.fail(id, code, message);
  }

  #take(id: string | undefined): Waiting | undefined {
    const waiting = id === undefined ? undefined : this.#waiting.get(id);
    if (!waiting) return undefined;
    clearTimeout(waiting.timer);
    this.#waiting.delete(id!);
    return waiting;
  }
}
