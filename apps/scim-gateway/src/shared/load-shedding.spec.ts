import Fastify, { type FastifyInstance } from 'fastify';
import { installLoadShedding } from './load-shedding';

describe('installLoadShedding', () => {
  let app: FastifyInstance;
  let release: () => void;
  let gate: Promise<void>;
  let shedding: { readonly inFlight: number };

  beforeEach(async () => {
    gate = new Promise((r) => (release = r));
    app = Fastify({ forceCloseConnections: true });
    shedding = installLoadShedding(app, { maxInFlight: 2, retryAfterSeconds: 7 });
    app.get('/scim/v2/Users', async () => {
      await gate;
      return { ok: true };
    });
    app.get('/healthz', async () => ({ status: 'ok' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    release();
    await app.close();
  });

  const url = (path: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${path}`;

  it('answers 503 with Retry-After and a SCIM error once the limit is reached, and serves again after', async () => {
    const held = [fetch(url('/scim/v2/Users')), fetch(url('/scim/v2/Users'))];
    await new Promise((r) => setTimeout(r, 100));
    expect(shedding.inFlight).toBe(2);

    const refused = await fetch(url('/scim/v2/Users'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(await refused.json()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'the service is busy, retry later' });

    const health = await fetch(url('/healthz'));
    expect(health.status).toBe(200); // probes are never shed

    release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 50));
    expect(shedding.inFlight).toBe(0);
    expect((await fetch(url('/scim/v2/Users'))).status).toBe(200);
  });

  it('frees the slot of a client that went away', async () => {
    const aborted = new AbortController();
    const gone = fetch(url('/scim/v2/Users'), { signal: aborted.signal }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(shedding.inFlight).toBe(1);
    aborted.abort();
    await gone;
    release();
    await new Promise((r) => setTimeout(r, 100));
    expect(shedding.inFlight).toBe(0);
  });
});
