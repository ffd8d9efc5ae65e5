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

// The two sets of defaults live here and nowhere else. Each is documented
// where its users look: ReWebSocketService's in docs/bus.md, ChatClient's
// (and so the panel's) in docs/PROTOCOL.md section 20.6 and docs/SCALING.md.

/** ReWebSocketService's defaults: a general-purpose socket, patient from the first retry. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  minReconnectionDelay: 1000,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.5,
  jitter: 0.5,
};

/**
 * ChatClient's defaults: a chat resumes its session, so it comes back fast
 * (0.3 s, then ×1.2 per attempt) and a relay restarting under a crowd is
 * met by retries spread over the jitter rather than a wall.
 */
export const CHAT_BACKOFF: BackoffOptions = {
  minReconnectionDelay: 300,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.2,
  jitter: 0.5,
};

/**
 * The options given, the rest from `defaults`. An unset maximum is never
 * below the minimum given, so raising only the minimum is not an error.
 */
export function withBackoffDefaults(options: Partial<BackoffOptions>, defaults: BackoffOptions): BackoffOptions {
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
