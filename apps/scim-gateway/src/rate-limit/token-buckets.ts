/** A bucket's refill rate and capacity. */
export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
  limit: BucketLimit;
}

export interface TokenBucketsOptions {
  /**
   * Milliseconds; default `performance.now()`, monotonic, so a wall-clock step (NTP) neither drains nor refills a
   * bucket. Injected so tests step time instead of sleeping.
   */
  now?: () => number;
  /** Hard cap on remembered keys; past it the least recently used bucket is dropped (that key starts full again). */
  maxBuckets?: number;
  /** How often full buckets are forgotten. */
  sweepEveryMs?: number;
}

/**
 * Token buckets by key (continuous refill at `ratePerSecond`, capacity `burst`, one token per request).
 *
 * Our own ~40 lines rather than `rate-limiter-flexible`: its in-memory limiter counts points in fixed windows
 * (a full second's worth at each window edge, so twice the rate across a boundary, and a Retry-After that is the
 * window's end rather than the next token), it reads `Date.now()` and timers itself (tests would need fake
 * timers), and it is not a dependency here yet. This is pure arithmetic over an injected clock.
 *
 * Memory stays bounded: a bucket that has refilled to `burst` is indistinguishable from no bucket, so it is
 * forgotten at the next sweep; only tenants active within their refill time (burst / rate, a few seconds) are held.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxBuckets: number;
  private readonly sweepEveryMs: number;
  private nextSweep: number;

  constructor(opts: TokenBucketsOptions = {}) {
    this.now = opts.now ?? (() => performance.now());
    this.maxBuckets = opts.maxBuckets ?? 100_000;
    this.sweepEveryMs = opts.sweepEveryMs ?? 60_000;
    this.nextSweep = this.now() + this.sweepEveryMs;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, limit: BucketLimit): TakeResult {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    const bucket = this.buckets.get(key);
    // A plan change applies at once: the level is re-capped at the new burst.
    const tokens = bucket ? refilled(bucket, limit, now) : limit.burst;
    // Delete and set again so the Map's order is least recently used first, for eviction at the cap.
    if (bucket) this.buckets.delete(key);
    else if (this.buckets.size >= this.maxBuckets) this.evictOldest();
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now, limit });
      return { allowed: true };
    }
    // A refused request costs nothing: the level is kept, only its timestamp moves forward.
    this.buckets.set(key, { tokens, at: now, limit });
    // RFC 9110 §10.2.3: whole seconds; at least 1 so a client never retries at once.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.ratePerSecond)) };
  }

  private sweep(now: number): void {
    this.nextSweep = now + this.sweepEveryMs;
    for (const [key, bucket] of this.buckets) if (refilled(bucket, bucket.limit, now) >= bucket.limit.burst) this.buckets.delete(key);
  }

  private evictOldest(): void {
    const oldest = this.buckets.keys().next();
    if (!oldest.done) this.buckets.delete(oldest.value);
  }
}

function refilled(bucket: Bucket, limit: BucketLimit, now: number): number {
  // max(0, …): a clock that steps back must not drain a bucket.
  const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
  return Math.min(limit.burst, bucket.tokens + elapsedSeconds * limit.ratePerSecond);
}
