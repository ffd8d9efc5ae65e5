/**
 * The protocol's rate limit (PROTOCOL.md §13.2): `capacity` frames at once,
 * refilled at `rate` per second. The relay keeps one per session and makes a
 * frame that finds it empty wait; the client keeps its own copy, charged for
 * every frame it writes, so that it seldom has to wait. (A dozen lines; a
 * rate-limiting library would bring stores and clocks a single in-process
 * counter does not need.)
 */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.updated = now;
  }

  /** Takes one token; returns 0 if granted, else the ms until one is available. */
  take(now = Date.now()): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  /** Takes one token whether or not there is one: for a frame that goes anyway (it may leave the bucket owing). */
  spend(now = Date.now()): void {
    this.refill(now);
    this.tokens -= 1;
  }

  /** Forgets what it had: the other side said it has nothing left. */
  empty(now = Date.now()): void {
    this.refill(now);
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.updated) * this.rate) / 1000);
    this.updated = now;
  }
}
