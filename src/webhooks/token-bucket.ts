/**
 * Per-key token buckets in process memory: the intake's per-registration rate limit.
 * A bucket holds up to `burst` tokens and refills at `ratePerSecond`; a request takes
 * one or is refused. Buckets idle long enough to be full again are forgotten, so the
 * map stays as small as the set of active registrations. Time comes from `now` (ms).
 */
export interface TokenBucketOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #options: TokenBucketOptions;
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep = 0;

  constructor(options: TokenBucketOptions) {
    this.#options = options;
  }

  /** Takes a token for `key` at `now`; false when the bucket is empty. */
  take(key: string, now: number): boolean {
    const { ratePerSecond, burst } = this.#options;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * ratePerSecond) / 1000);
      bucket.at = now;
    }
    this.#sweep(now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #sweep(now: number): void {
    const fullAfterMs = (this.#options.burst / this.#options.ratePerSecond) * 1000;
    if (now - this.#lastSweep < Math.max(fullAfterMs, 10_000)) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) if (now - bucket.at >= fullAfterMs) this.#buckets.delete(key);
  }
}
