import { type BucketLimit, TokenBuckets } from './token-buckets';

const FLOOR: BucketLimit = { ratePerSecond: 25, burst: 50 };

/** A clock the test steps by hand. */
function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

/** Sends `count` requests for `key`, evenly spaced over `ms`, and counts the refusals. */
function send(buckets: TokenBuckets, c: ReturnType<typeof clock>, key: string, limit: BucketLimit, count: number, ms: number): number {
  let refused = 0;
  for (let i = 0; i < count; i++) {
    if (!buckets.take(key, limit).allowed) refused++;
    c.advance(ms / count);
  }
  return refused;
}

describe('TokenBuckets', () => {
  it.each([
    // [what, limit, requests, over ms, refused]
    ['a burst up to the capacity, all at once, is allowed', FLOOR, 50, 0, 0],
    ['one request past the capacity, all at once, is refused', FLOOR, 51, 0, 1],
    ['25/s sustained for 60 s at the 25/s floor is never refused (Entra)', FLOOR, 1_500, 60_000, 0],
    ['twice the rate for 10 s: the burst, then half of the rest, is refused', FLOOR, 500, 10_000, 200],
    ['ten times the rate for 4 s is held to burst + 4 s of rate', FLOOR, 1_000, 4_000, 1_000 - 50 - 100],
    ['a larger plan allows its own rate', { ratePerSecond: 100, burst: 200 }, 1_000, 10_000, 0],
  ] as const)('%s', (_what, limit, count, ms, refused) => {
    const c = clock();
    expect(send(new TokenBuckets({ now: c.now }), c, 'org', limit, count, ms)).toBeCloseTo(refused, -1);
  });

  it('counts exactly at the edge: capacity, then one token per 1/rate seconds', () => {
    const c = clock();
    const buckets = new TokenBuckets({ now: c.now });
    for (let i = 0; i < 50; i++) expect(buckets.take('org', FLOOR).allowed).toBe(true);
    expect(buckets.take('org', FLOOR).allowed).toBe(false);
    c.advance(39);
    expect(buckets.take('org', FLOOR).allowed).toBe(false);
    c.advance(1);
    expect(buckets.take('org', FLOOR).allowed).toBe(true);
    expect(buckets.take('org', FLOOR).allowed).toBe(false);
  });

  it.each([
    // [limit, requests at once, Retry-After in whole seconds]
    [FLOOR, 51, 1],
    [{ ratePerSecond: 25, burst: 25 }, 26, 1],
    [{ ratePerSecond: 0.5, burst: 1 }, 2, 2],
    [{ ratePerSecond: 0.25, burst: 1 }, 2, 4],
  ] as const)('answers %o, after %i requests at once, with Retry-After %i (whole seconds, at least 1)', (limit, count, seconds) => {
    const c = clock();
    const buckets = new TokenBuckets({ now: c.now });
    let last = buckets.take('org', limit);
    for (let i = 1; i < count; i++) last = buckets.take('org', limit);
    expect(last).toEqual({ allowed: false, retryAfterSeconds: seconds });
    c.advance(seconds * 1000);
    expect(buckets.take('org', limit).allowed).toBe(true);
  });

  it('refused requests cost nothing: a client hammering while empty is allowed again after one token’s time', () => {
    const c = clock();
    const buckets = new TokenBuckets({ now: c.now });
    send(buckets, c, 'org', FLOOR, 50, 0);
    expect(send(buckets, c, 'org', FLOOR, 1_000, 0)).toBe(1_000);
    c.advance(40);
    expect(buckets.take('org', FLOOR).allowed).toBe(true);
  });

  it('one tenant far over its limit leaves another tenant’s bucket untouched', () => {
    const c = clock();
    const buckets = new TokenBuckets({ now: c.now });
    let refusedA = 0;
    let refusedB = 0;
    // 10 s: A sends 500/s, B sends 25/s, interleaved as they would arrive.
    for (let ms = 0; ms < 10_000; ms += 2) {
      if (!buckets.take('a', FLOOR).allowed) refusedA++;
      if (ms % 40 === 0 && !buckets.take('b', FLOOR).allowed) refusedB++;
      c.advance(2);
    }
    // A gets its burst plus 25/s for the 9.998 s between its first and last request: 50 + 249.
    expect(refusedA).toBe(5_000 - 50 - 249);
    expect(refusedB).toBe(0);
  });

  it('a downgrade caps the level at the new burst at once', () => {
    const c = clock();
    const buckets = new TokenBuckets({ now: c.now });
    buckets.take('org', { ratePerSecond: 100, burst: 200 });
    expect(send(buckets, c, 'org', FLOOR, 51, 0)).toBe(1);
  });

  it('a clock that steps back neither drains nor refills a bucket', () => {
    const c = clock(10_000);
    const buckets = new TokenBuckets({ now: c.now });
    send(buckets, c, 'org', FLOOR, 50, 0);
    c.set(5_000);
    expect(buckets.take('org', FLOOR).allowed).toBe(false);
    c.set(5_040);
    expect(buckets.take('org', FLOOR).allowed).toBe(true);
  });

  describe('memory', () => {
    it.each([
      // [what, ms idle before the sweep, buckets left]
      ['buckets still refilling are kept', 1_000, 1_000],
      ['buckets refilled to capacity are forgotten', 2_000, 0],
    ] as const)('%s', (_what, idle, left) => {
      const c = clock();
      const buckets = new TokenBuckets({ now: c.now, sweepEveryMs: 500 });
      for (let i = 0; i < 1_000; i++) send(buckets, c, `org-${i}`, FLOOR, 50, 0);
      expect(buckets.size).toBe(1_000);
      c.advance(idle);
      buckets.take('trigger', FLOOR);
      expect(buckets.size).toBe(left + 1);
    });

    it('a forgotten bucket starts full, as if it had been kept', () => {
      const c = clock();
      const buckets = new TokenBuckets({ now: c.now, sweepEveryMs: 500 });
      send(buckets, c, 'org', FLOOR, 50, 0);
      c.advance(2_000);
      buckets.take('trigger', FLOOR);
      expect(buckets.size).toBe(1);
      expect(send(buckets, c, 'org', FLOOR, 51, 0)).toBe(1);
    });

    it('never holds more than maxBuckets: the least recently used goes first', () => {
      const c = clock();
      const buckets = new TokenBuckets({ now: c.now, maxBuckets: 3 });
      for (const key of ['a', 'b', 'c']) send(buckets, c, key, FLOOR, 50, 0);
      send(buckets, c, 'a', FLOOR, 1, 0);
      buckets.take('d', FLOOR);
      expect(buckets.size).toBe(3);
      // b was least recently used: evicted, so it starts full; a and c are still empty.
      expect(buckets.take('b', FLOOR).allowed).toBe(true);
      expect(buckets.take('a', FLOOR).allowed).toBe(false);
    });
  });
});
