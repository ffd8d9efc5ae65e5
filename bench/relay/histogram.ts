// Latencies in µs, in log-spaced buckets 1% wide: constant memory and cost
// per sample however many deliveries a step makes.

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(600e6) / LOG_GROWTH) + 1; // up to 10 minutes

export interface LatencySummary {
  count: number;
  /** ms */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  private maxUs = 0;

  record(us: number): void {
    const value = us < 1 ? 1 : us;
    const index = Math.min(BUCKETS - 1, Math.floor(Math.log(value) / LOG_GROWTH));
    this.counts[index]!++;
    this.count++;
    if (value > this.maxUs) this.maxUs = value;
  }

  /** The value below which `q` of the samples fall, in µs (the bucket's upper edge, ≤ 1% high). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxUs, GROWTH ** (i + 1));
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      p50: ms(this.quantile(0.5)),
      p90: ms(this.quantile(0.9)),
      p99: ms(this.quantile(0.99)),
      p999: ms(this.quantile(0.999)),
      max: ms(this.maxUs),
    };
  }
}
