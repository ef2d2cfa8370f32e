import { createTenant, readState, scim, waitFor, type ScimResponse, type TestTenant } from '@taskize/testing';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// The free plan's defaults (apps/scim-gateway/src/config.ts): 25 requests/s, burst 50, per gateway instance. The test
// stack runs one gateway, so these are the tenant's whole budget.
const RATE = 25;
const BURST = 50;
const LOAD_MS = 4_000;

interface Sent {
  method: string;
  res: ScimResponse;
}

/**
 * Open loop at `perSecond`: request i is due at start + i / rate and is sent when due whether or not earlier ones have
 * answered; a late timer sends the overdue ones at once, as a real client catching up would (harder on the bucket).
 * Every `writeEvery`-th request is a POST /Users, the rest Okta's lookup before a create.
 */
async function load(tenant: TestTenant, perSecond: number, writeEvery: number, start: number): Promise<Sent[]> {
  const inFlight: Promise<Sent>[] = [];
  const total = Math.floor((LOAD_MS / 1000) * perSecond);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const userName = `rl.${tenant.slug}.${i}@example.com`;
    inFlight.push(
      i % writeEvery === writeEvery - 1
        ? scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName } }).then((res) => ({ method: 'POST', res }))
        : scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { token: tenant.token }).then((res) => ({ method: 'GET', res })),
    );
  }
  const sentBy = Date.now();
  const answered = await Promise.all(inFlight);
  process.stdout.write(`rate-limit load: ${tenant.slug} sent ${total} in ${((sentBy - start) / 1000).toFixed(1)} s, answered after ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
  return answered;
}

/** `scim_rate_limited_total{plan="free"}` scraped from the gateway's /metrics. */
async function rateLimitedFree(): Promise<number> {
  const text = await (await fetch(`${readState().gatewayUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('scim_rate_limited_total{') && l.includes('plan="free"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const servedOrOverloaded = (s: Sent) => s.res.status === (s.method === 'POST' ? 201 : 200) || s.res.status === 503;
const statuses = (sent: Sent[]) => sent.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s.res.status]: (acc[s.res.status] ?? 0) + 1 }), {});

describe('per-tenant rate limit under a two-tenant load (issue 6, item 5)', () => {
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    // Both on the smallest plan: B shows the 25 requests/s floor Entra requires holds even there.
    [a, b] = await Promise.all([createTenant('rl-a', 'free'), createTenant('rl-b', 'free')]);
  });

  it('throttles tenant A far over its limit with 429 + Retry-After + SCIM body, while tenant B at 25 requests/s gets no 429', async () => {
    const metricBefore = await rateLimitedFree();
    const start = Date.now() + 50;
    const [sentA, sentB] = await Promise.all([load(a, 6 * RATE, 10, start), load(b, RATE, 5, start)]);
    const elapsedSeconds = (Date.now() - start) / 1000;
    const countsA = statuses(sentA);
    const countsB = statuses(sentB);
    process.stdout.write(`rate-limit load: ${elapsedSeconds.toFixed(1)} s; A sent ${sentA.length} ${JSON.stringify(countsA)}; B sent ${sentB.length} ${JSON.stringify(countsB)}\n`);

    // B: none throttled. On an overloaded 2-core machine a write can outlast the test profile's 3 s reply wait and
    // answer 503 (nothing to do with the limit), so 503 is tolerated; nothing else is.
    expect(sentB).toHaveLength((LOAD_MS / 1000) * RATE);
    expect(countsB[429] ?? 0).toBe(0);
    expect(sentB.every((s) => servedOrOverloaded(s))).toBe(true);
    expect(sentB.filter((s) => s.res.status !== 503).length).toBeGreaterThan(sentB.length / 2);

    // A: everything is either served or throttled; never more served than burst + rate × the time it took.
    expect(sentA.every((s) => s.res.status === 429 || servedOrOverloaded(s))).toBe(true);
    const servedA = sentA.length - (countsA[429] ?? 0);
    expect(servedA).toBeGreaterThanOrEqual(BURST);
    // The budget over the time the load took (a slow machine stretches the time, and with it the budget, so this
    // is a bound on what was served rather than a fixed ratio of 429s); everything past it was throttled.
    expect(servedA).toBeLessThanOrEqual(BURST + RATE * (elapsedSeconds + 1));
    // Writes count as well as reads.
    expect(sentA.some((s) => s.method === 'POST' && s.res.status === 429)).toBe(true);
    expect(sentA.some((s) => s.method === 'GET' && s.res.status === 429)).toBe(true);

    // Each 429 is counted once on the metric, under the tenant's plan (only A was throttled meanwhile).
    expect((await rateLimitedFree()) - metricBefore).toBe(countsA[429]);

    for (const { res } of sentA.filter((s) => s.res.status === 429)) {
      expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(res.body).toEqual({ schemas: [ERROR], status: '429', detail: expect.any(String) });
    }
  });

  it('serves a throttled tenant again once it waits the Retry-After it was given', async () => {
    // More at once than the burst plus what refills while the gateway answers them.
    const answers = await Promise.all(Array.from({ length: 2 * BURST }, () => scim('GET', '/Users?count=1', { token: a.token })));
    const throttled = answers.find((r) => r.status === 429);
    expect(throttled).toBeDefined();
    const retryAfterMs = Number(throttled!.headers.get('retry-after')) * 1000;
    const after = Date.now() + retryAfterMs;
    const res = await waitFor(async () => Date.now() >= after && (await scim('GET', '/Users?count=1', { token: a.token })), { timeoutMs: retryAfterMs + 5_000, intervalMs: 50 });
    expect(res.status).toBe(200);
  });
});
