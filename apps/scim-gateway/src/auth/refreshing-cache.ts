export interface RefreshingCacheOptions<V> {
  /** How long an answer may be used, counted from when it was asked for. */
  ttlMs: (value: V) => number;
  maxEntries: number;
  /** Share of an answer's TTL after which a hit is still answered from the cache but asked again in the background. */
  refreshAfter?: number;
  /** Wait after a failed background refresh before the next one (the entry still expires on time). */
  retryAfterMs?: number;
  onRefreshError?: (error: unknown) => void;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expires: number;
  refreshAt: number;
}

/**
 * A per-key answer cache for the gateway's questions to the auth service (which organisation a bearer token is,
 * whether an OAuth connection is still active). An answer is used until its TTL is over, as before; what this adds:
 * - refresh ahead: a hit in the last third of its TTL is answered from the cache and asked again in the background,
 *   so a busy token never waits on auth. Before, every token paid an auth round trip on the request that found its
 *   entry expired, once per TTL: 2 of the ~29 slowest of 1,000 creates at 50/s (docs/benchmarks.md, run 10);
 * - one question per key at a time: concurrent misses share one lookup (Okta sends bursts).
 * Revocation is unchanged: an answer is never used beyond its TTL, counted from when it was asked for. A refresh that
 * fails leaves the entry to expire on time; then the request asks in the foreground and gets auth's error (a 503).
 */
export class RefreshingCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly pending = new Map<K, Promise<V>>();
  private readonly now: () => number;
  private readonly refreshAfter: number;
  private readonly retryAfterMs: number;

  constructor(private readonly options: RefreshingCacheOptions<V>) {
    this.now = options.now ?? Date.now;
    this.refreshAfter = options.refreshAfter ?? 2 / 3;
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) {
      if (now >= hit.refreshAt && !this.pending.has(key)) {
        this.lookup(key, load).catch((error: unknown) => {
          hit.refreshAt = this.now() + this.retryAfterMs;
          this.options.onRefreshError?.(error);
        });
      }
      return hit.value;
    }
    return this.lookup(key, load);
  }

  get size(): number {
    return this.entries.size;
  }

  private lookup(key: K, load: () => Promise<V>): Promise<V> {
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const askedAt = this.now();
    const answer = load()
      .then((value) => {
        this.store(key, value, askedAt);
        return value;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, answer);
    return answer;
  }

  private store(key: K, value: V, askedAt: number): void {
    const ttl = this.options.ttlMs(value);
    // A refreshed key moves to the end: the oldest-stored entry is the one dropped when full.
    if (!this.entries.delete(key) && this.entries.size >= this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, { value, expires: askedAt + ttl, refreshAt: askedAt + ttl * this.refreshAfter });
  }
}
