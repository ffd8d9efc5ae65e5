/**
 * Per-connection rate limit: `capacity` frames at once, refilled at `rate`
 * per second. (A dozen lines; a rate-limiting library would bring stores and
 * clocks a single in-process counter does not need.)
 */
export class TokenBucket {
  private tokens: number;
  private updated: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.updated = now;
  }

  /** Takes one token; returns 0 if granted, else the ms until one is available. */
  take(now = Date.now()): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updated) * this.rate) / 1000);
    this.updated = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }
}
