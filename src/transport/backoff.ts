export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  readonly minReconnectionDelay: number;
  /** No retry waits longer than this, in ms. */
  readonly maxReconnectionDelay: number;
  /** Each retry's ceiling is the previous one's times this. */
  readonly reconnectionDelayGrowFactor: number;
  /**
   * How much of each delay is random, from 0 (none: every client retries in
   * lockstep) to 1 (anywhere between 0 and the ceiling).
   */
  readonly jitter: number;
}

/**
 * The one set of defaults, for ChatClient (and so the panel) and
 * ReWebSocketService alike, documented in docs/PROTOCOL.md section 20.6 and
 * docs/bus.md: a client that resumes its session comes back fast (0.3 s,
 * then ×1.2 per attempt, up to 10 s), and a relay restarting under a crowd
 * is met by retries spread over the jitter rather than a wall (the capacity
 * plan in docs/SCALING.md counts on these figures).
 */
export const DEFAULT_BACKOFF: BackoffOptions = {
  minReconnectionDelay: 300,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.2,
  jitter: 0.5,
};

/**
 * The options given, the rest from the defaults. An unset maximum is never
 * below the minimum given, so raising only the minimum is not an error.
 */
export function withBackoffDefaults(options: Partial<BackoffOptions>): BackoffOptions {
  const defaults = DEFAULT_BACKOFF;
  return {
    minReconnectionDelay: options.minReconnectionDelay ?? defaults.minReconnectionDelay,
    maxReconnectionDelay: options.maxReconnectionDelay ?? Math.max(defaults.maxReconnectionDelay, options.minReconnectionDelay ?? 0),
    reconnectionDelayGrowFactor: options.reconnectionDelayGrowFactor ?? defaults.reconnectionDelayGrowFactor,
    jitter: options.jitter ?? defaults.jitter,
  };
}

/**
 * The wait before retry number `attempt` (1 for the first retry): an
 * exponentially growing ceiling, of which a random part is drawn anew for
 * every attempt. reconnecting-websocket draws its randomness once per page
 * load, so a thousand clients dropped by one server restart would otherwise
 * come back in lockstep.
 */
export function retryDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  const ceiling = Math.min(
    options.maxReconnectionDelay,
    options.minReconnectionDelay * options.reconnectionDelayGrowFactor ** (attempt - 1),
  );
  return Math.round(ceiling * (1 - options.jitter * random()));
}

export function validateBackoff(options: BackoffOptions): void {
  const { minReconnectionDelay: min, maxReconnectionDelay: max, reconnectionDelayGrowFactor: factor, jitter } = options;
  if (!(Number.isFinite(min) && min >= 0)) throw new TypeError(`minReconnectionDelay must be a finite number ≥ 0, got ${min}`);
  if (!(Number.isFinite(max) && max >= min)) {
    throw new TypeError(`maxReconnectionDelay (${max}) must be a finite number ≥ minReconnectionDelay (${min})`);
  }
  if (!(Number.isFinite(factor) && factor >= 1)) throw new TypeError(`reconnectionDelayGrowFactor must be ≥ 1, got ${factor}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new TypeError(`jitter must be between 0 and 1, got ${jitter}`);
}
