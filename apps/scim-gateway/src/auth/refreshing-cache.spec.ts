import { RefreshingCache } from './refreshing-cache';

/** A loader whose answers the test hands out one by one, with a fake clock: nothing here waits on real time. */
function rig(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000_000;
  const calls: { key: string; resolve: (v: string | null) => void; reject: (e: Error) => void }[] = [];
  const refreshErrors: unknown[] = [];
  const cache = new RefreshingCache<string, string | null>({
    ttlMs: (v) => (v === null ? 100 : (options.ttlMs ?? 3_000)),
    maxEntries: options.maxEntries ?? 10,
    onRefreshError: (e) => refreshErrors.push(e),
    now: () => now,
  });
  const get = (key: string) =>
    cache.get(key, () => new Promise<string | null>((resolve, reject) => calls.push({ key, resolve, reject })));
  const settle = () => new Promise((r) => setImmediate(r));
  return { cache, get, calls, refreshErrors, settle, tick: (ms: number) => (now += ms) };
}

/** Token 't' asked for once and answered 'org-a' (the cache's first entry). */
async function cached(r: ReturnType<typeof rig>): Promise<void> {
  const first = r.get('t');
  r.calls.at(-1)!.resolve('org-a');
  await first;
}

describe('RefreshingCache', () => {
  it('asks once on a miss and answers from the cache until the refresh point', async () => {
    const r = rig();
    const first = r.get('t');
    r.calls[0]!.resolve('org-a');
    await expect(first).resolves.toBe('org-a');
    r.tick(1_999);
    await expect(r.get('t')).resolves.toBe('org-a');
    expect(r.calls).toHaveLength(1);
  });

  it.each([
    ['at two thirds of the TTL', 2_000],
    ['just before expiry', 2_999],
  ])('%s: answers the cached value at once and asks again in the background, once', async (_, age) => {
    const r = rig();
    await cached(r);
    r.tick(age);
    await expect(r.get('t')).resolves.toBe('org-a');
    await expect(r.get('t')).resolves.toBe('org-a');
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('org-b');
    await r.settle();
    await expect(r.get('t')).resolves.toBe('org-b');
    expect(r.calls).toHaveLength(2);
  });

  it('waits for the answer once the entry has expired', async () => {
    const r = rig();
    await cached(r);
    r.tick(3_000);
    let settled = false;
    const second = r.get('t').then((v) => ((settled = true), v));
    await r.settle();
    expect(settled).toBe(false);
    r.calls[1]!.resolve('org-b');
    await expect(second).resolves.toBe('org-b');
  });

  it('a revocation seen by a background refresh applies to the next request', async () => {
    const r = rig();
    await cached(r);
    r.tick(2_500);
    await r.get('t');
    r.calls[1]!.resolve(null);
    await r.settle();
    await expect(r.get('t')).resolves.toBeNull();
  });

  it('counts the TTL from when it asked, so a slow answer is not used longer', async () => {
    const r = rig();
    const first = r.get('t');
    r.tick(1_000); // auth took a second to answer
    r.calls[0]!.resolve('org-a');
    await first;
    r.tick(2_000); // 3 s after asking
    const late = r.get('t');
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('org-a');
    await late;
  });

  it('shares one question among concurrent misses', async () => {
    const r = rig();
    const all = Promise.all([r.get('t'), r.get('t'), r.get('t')]);
    expect(r.calls).toHaveLength(1);
    r.calls[0]!.resolve('org-a');
    await expect(all).resolves.toEqual(['org-a', 'org-a', 'org-a']);
  });

  it('a failed background refresh keeps the answer until its TTL, reports the error, and waits before trying again', async () => {
    const r = rig();
    await cached(r);
    r.tick(2_000);
    await expect(r.get('t')).resolves.toBe('org-a');
    r.calls[1]!.reject(new Error('auth down'));
    await r.settle();
    expect(r.refreshErrors).toEqual([new Error('auth down')]);
    r.tick(500);
    await expect(r.get('t')).resolves.toBe('org-a');
    expect(r.calls).toHaveLength(2); // no retry within retryAfterMs
    r.tick(500); // expired now
    const foreground = r.get('t');
    r.calls[2]!.reject(new Error('auth down'));
    await expect(foreground).rejects.toThrow('auth down');
  });

  it('does not keep a failed answer: the next request asks again', async () => {
    const r = rig();
    const first = r.get('t');
    r.calls[0]!.reject(new Error('auth down'));
    await expect(first).rejects.toThrow('auth down');
    const second = r.get('t');
    expect(r.calls).toHaveLength(2);
    r.calls[1]!.resolve('org-a');
    await expect(second).resolves.toBe('org-a');
  });

  it('uses the TTL of the answer: a negative one is asked again sooner', async () => {
    const r = rig();
    const first = r.get('bad');
    r.calls[0]!.resolve(null);
    await first;
    r.tick(100);
    void r.get('bad');
    expect(r.calls).toHaveLength(2);
  });

  it('drops the oldest entry when full, and a refreshed key counts as new', async () => {
    const r = rig({ maxEntries: 2 });
    for (const key of ['a', 'b']) {
      const p = r.get(key);
      r.calls.at(-1)!.resolve(`org-${key}`);
      await p;
    }
    r.tick(2_000); // refresh 'a': it becomes the newest
    await r.get('a');
    r.calls.at(-1)!.resolve('org-a');
    await r.settle();
    const c = r.get('c');
    r.calls.at(-1)!.resolve('org-c');
    await c;
    expect(r.cache.size).toBe(2);
    const asked = r.calls.length;
    await r.get('a');
    expect(r.calls).toHaveLength(asked); // still cached
    void r.get('b');
    expect(r.calls).toHaveLength(asked + 1); // dropped
  });
});
