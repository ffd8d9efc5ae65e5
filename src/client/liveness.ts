export interface LivenessOptions {
  /** ms without any frame from the server after which the link counts as dead. Default: the heartbeat interval + 10 s. */
  readonly deadLinkTimeout?: number | undefined;
  /** ms `probe()` waits for an answer. Default 3000. */
  readonly probeTimeout?: number | undefined;
}

/**
 * Tells a live link from a silent one (docs/PROTOCOL.md section 12): while
 * running it pings at the relay's heartbeat interval and calls `dead` when
 * nothing at all has come from the server for `deadLinkTimeout`; `probe()`
 * asks at once, for when the platform says the network changed. The link is
 * not replaced here: `dead` says why it should be.
 */
export class LivenessMonitor {
  readonly #options: LivenessOptions;
  readonly #ping: (t: number) => void;
  readonly #dead: (why: string) => void;
  #lastFrameAt = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #probe: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LivenessOptions, ping: (t: number) => void, dead: (why: string) => void) {
    this.#options = options;
    this.#ping = ping;
    this.#dead = dead;
  }

  /** Something came from the server (or the socket just opened): the link is alive now. */
  heard(): void {
    this.#lastFrameAt = Date.now();
  }

  /** Starts the heartbeat at the relay's `heartbeatInterval` (ms). */
  start(heartbeatInterval: number): void {
    this.stop();
    const timeout = this.#options.deadLinkTimeout ?? heartbeatInterval + 10_000;
    const every = Math.max(250, Math.min(heartbeatInterval, timeout / 2));
    let lastPing = Date.now();
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.#lastFrameAt > timeout) {
        this.#dead(`no word from the server for ${timeout} ms; reconnecting`);
        return;
      }
      if (now - lastPing >= every) {
        lastPing = now;
        this.#ping(now);
      }
    }, Math.min(1000, every));
    (this.#heartbeat as { unref?: () => void }).unref?.();
  }

  /** Stops the heartbeat and forgets a probe in flight (the link is gone, or the client is closing). */
  stop(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  /** Pings now, and calls `dead` unless the server says anything within `probeTimeout`. Only while running, one at a time. */
  probe(): void {
    if (this.#heartbeat === undefined || this.#probe !== undefined) return;
    const asked = Date.now();
    this.#ping(asked);
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      if (this.#lastFrameAt < asked) this.#dead('no answer to a ping; replacing the link');
    }, this.#options.probeTimeout ?? 3000);
  }
}
