import { createTenant, findOnTopic, parsePrometheus, readState, scim, sumOf, waitFor, type TestTenant } from '@taskize/testing';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Issue 6, items 1–4 against the running services: metrics scraped and parsed on every service, one
 * request followed by its trace id from the gateway's log through the directory's log onto the
 * identity event, no credentials or emails in any log line, terminus health endpoints.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

/** Everything written to the stack's log since byte `from` (a byte offset: the log holds multi-byte "→"). */
function logSince(from: number): string {
  return readFileSync(readState().logFile).subarray(from).toString('utf8');
}

/** Log lines (JSON) a service wrote to the stack's log since byte `from`. */
function logLines(app: string, from: number): Record<string, unknown>[] {
  const text = logSince(from);
  return text
    .split('\n')
    .filter((l) => l.startsWith(`[${app}] {`))
    .map((l) => JSON.parse(l.slice(app.length + 3)) as Record<string, unknown>);
}

describe('observability', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant('obs');
  });

  it('follows one request by its trace id from the gateway through the directory onto the identity event', async () => {
    const from = readFileSync(readState().logFile).length;
    const traceId = randomBytes(16).toString('hex');
    const userName = `traced.${Date.now()}@example.com`;
    const res = await scim('POST', '/Users', {
      token: tenant.token,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: { schemas: [USER], userName },
    });
    expect(res.status).toBe(201);
    const userId = String(res.body['id']);

    const gatewayLine = await waitFor(async () => logLines('scim-gateway', from).find((l) => l['traceId'] === traceId && l['msg'] === 'request completed'), {
      what: 'the gateway request line',
    });
    expect(gatewayLine).toMatchObject({ service: 'scim-gateway', level: 'info', tenantId: tenant.organisationId, requestId: expect.any(String), res: { statusCode: 201 } });

    const directoryLine = await waitFor(async () => logLines('directory', from).find((l) => l['traceId'] === traceId), { what: 'the directory apply line' });
    expect(directoryLine).toMatchObject({ service: 'directory', tenantId: tenant.organisationId, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), msg: 'UserCreated → 201' });

    const event = await findOnTopic('identity.events', (v) => {
      const e = v as { subject?: string; traceparent?: string; type?: string };
      return e.subject?.endsWith(userId) && e.type === 'com.taskize.identity.user.created.v1' ? e : undefined;
    });
    expect(event.traceparent?.split('-')[1]).toBe(traceId);
  });

  it('starts a trace when the caller sent none', async () => {
    const from = readFileSync(readState().logFile).length;
    const res = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName: `untraced.${Date.now()}@example.com` } });
    expect(res.status).toBe(201);
    const line = await waitFor(async () => logLines('scim-gateway', from).find((l) => l['msg'] === 'request completed' && (l['req'] as { method?: string })?.method === 'POST'), {
      what: 'the gateway request line',
    });
    const traceId = String(line['traceId']);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(async () => logLines('directory', from).find((l) => l['traceId'] === traceId), { what: 'the same trace in the directory' });
  });

  it('writes no token, password or email address to any log line', async () => {
    const from = readFileSync(readState().logFile).length;
    const email = `secret.person.${Date.now()}@example.com`;
    await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName: email, emails: [{ value: email, primary: true }] } });
    await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName: email } }); // 409 quotes the userName
    await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, { token: tenant.token });
    await scim('GET', '/Users', { token: 'tzc_not-a-real-token' });
    await waitFor(async () => logLines('directory', from).some((l) => String(l['msg']).includes('409')) || undefined, { what: 'the 409 to be logged' });
    const text = logSince(from);
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [email, encodeURIComponent(email), tenant.token, 'tzc_not-a-real-token']) expect(text).not.toContain(secret);
  });

  it('serves Prometheus metrics on every service, with route templates and no tenant ids', async () => {
    const { gatewayUrl, directoryUrl, authUrl } = readState();
    const res = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName: `metrics.${Date.now()}@example.com` } });
    expect(res.status).toBe(201);
    await scim('GET', `/Users/${String(res.body['id'])}`, { token: tenant.token });
    await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER] } }); // 400 invalidValue

    const gateway = await scrape(gatewayUrl);
    expect(sumOf(gateway, 'http_request_duration_seconds_count', { method: 'POST', route: '/scim/v2/Users', status: '201' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'http_request_duration_seconds_count', { method: 'GET', route: '/scim/v2/Users/:id', status: '200' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'scim_operations_total', { resource: 'User', operation: 'create', status: '201' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'scim_operations_total', { resource: 'User', operation: 'create', status: '400' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'kafka_produce_duration_seconds_count', { topic: 'scim.provisioning.v1' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'provisioning_reply_wait_seconds_count', { via: 'reply' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'auth_token_validations_total', { kind: 'opaque', result: 'valid' })).toBeGreaterThan(0);
    expect(sumOf(gateway, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const directory = await waitFor(async () => {
      const s = await scrape(directoryUrl);
      return sumOf(s, 'outbox_relay_lag_seconds_count') > 0 ? s : undefined;
    }, { what: 'the relay to publish' });
    expect(sumOf(directory, 'provisioning_events_total', { type: 'UserCreated', outcome: 'applied' })).toBeGreaterThan(0);
    expect(sumOf(directory, 'provisioning_chunk_duration_seconds_count')).toBeGreaterThan(0);
    expect(directory.some((s) => s.name === 'kafka_consumer_lag' && s.labels['topic'] === 'scim.provisioning.v1')).toBe(true);
    expect(directory.some((s) => s.name === 'outbox_backlog')).toBe(true);
    expect(sumOf(directory, 'db_pool_connections', { state: 'limit' })).toBeGreaterThan(0);
    expect(sumOf(directory, 'kafka_produce_duration_seconds_count', { topic: 'identity.events' })).toBeGreaterThan(0);

    const auth = await scrape(authUrl);
    expect(sumOf(auth, 'db_pool_connections', { state: 'limit' })).toBeGreaterThan(0);

    for (const samples of [gateway, directory, auth]) {
      const values = samples.flatMap((s) => Object.values(s.labels));
      expect(values).not.toContain(tenant.organisationId);
      expect(values.some((v) => v.includes('@'))).toBe(false);
    }
  });

  it.each(['scim-gateway', 'directory', 'auth'] as const)('%s answers /healthz and /readyz in the terminus shape', async (app) => {
    const state = readState();
    const url = app === 'scim-gateway' ? state.gatewayUrl : app === 'directory' ? state.directoryUrl : state.authUrl;
    const live = await fetch(`${url}/healthz`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    const body = (await ready.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(body.details['lifecycle']).toEqual({ status: 'up' });
    expect(Object.values(body.details).every((d) => d.status === 'up')).toBe(true);
  });
});
