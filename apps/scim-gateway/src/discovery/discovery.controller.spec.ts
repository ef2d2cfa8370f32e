import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter } from '@taskize/http';
import { SCHEMA_ERROR, SCHEMA_LIST_RESPONSE, SCHEMA_SERVICE_PROVIDER_CONFIG, SCHEMA_USER } from '@taskize/scim-core';
import { CONFIG } from '../shared/tokens';
import { DiscoveryController } from './discovery.controller';

// In-process through Fastify's inject (no socket): routing, the 405 answers and headers as the gateway wires them.
const BASE = 'http://127.0.0.1:3000/scim/v2';
const BODY_LIMIT = 1024 * 1024;
let app: NestFastifyApplication;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    controllers: [DiscoveryController],
    providers: [{ provide: CONFIG, useValue: { PUBLIC_BASE_URL: BASE } }],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT }), { bodyParser: false });
  configureScimFastify(app, BODY_LIMIT);
  app.useGlobalFilters(new ScimExceptionFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await app.close();
});

async function request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD', path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}) {
  const headers: Record<string, string> = { accept: 'application/scim+json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.inject({ method, url: `/scim/v2${path}`, headers, ...(opts.body === undefined ? {} : { payload: JSON.stringify(opts.body) }) });
  return { status: res.statusCode, headers: res.headers, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
}

describe('GET discovery endpoints without a tenant', () => {
  it.each([
    ['/ServiceProviderConfig', { schemas: [SCHEMA_SERVICE_PROVIDER_CONFIG], patch: { supported: true } }],
    ['/ResourceTypes', { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 2 }],
    ['/ResourceTypes/User', { id: 'User', meta: { location: `${BASE}/ResourceTypes/User` } }],
    ['/ResourceTypes/group', { id: 'Group' }],
    ['/Schemas', { schemas: [SCHEMA_LIST_RESPONSE], totalResults: 3 }],
    [`/Schemas/${SCHEMA_USER}`, { id: SCHEMA_USER, meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${SCHEMA_USER}` } }],
    [`/Schemas/${encodeURIComponent(SCHEMA_USER)}`, { id: SCHEMA_USER }],
  ])('GET %s → 200 SCIM JSON', async (path, expected) => {
    const res = await request('GET', path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.body).toMatchObject(expected);
  });

  it.each([
    ['a bearer token', 'Bearer tzc_anything-at-all'],
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
  ])('ignores %s in Authorization (Okta always sends its token)', async (_, authorization) => {
    const res = await request('GET', '/ServiceProviderConfig', { headers: { authorization } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['/ResourceTypes/Widget'],
    ['/Schemas/urn:ietf:params:scim:schemas:core:2.0:Widget'],
  ])('GET %s → 404 SCIM error', async (path) => {
    const res = await request('GET', path);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '404' });
  });

  it.each(['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'])('GET %s?filter=… → 403 (RFC 7644 §4)', async (path) => {
    const res = await request('GET', `${path}?filter=${encodeURIComponent('name eq "User"')}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '403' });
  });

  it('answers HEAD like GET, without a body (Fastify exposes HEAD for every GET route)', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/scim/v2/Schemas' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });

  it('ignores paging parameters (RFC 7644 §4)', async () => {
    const res = await request('GET', '/Schemas?startIndex=2&count=1');
    expect(res.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 3 });
  });
});

describe('other methods on discovery endpoints', () => {
  const paths = ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${SCHEMA_USER}`];
  const cases = (['POST', 'PUT', 'PATCH', 'DELETE'] as const).flatMap((method) => paths.map((path) => [method, path] as const));

  it.each(cases)('%s %s → 405 SCIM error with Allow: GET, HEAD', async (method, path) => {
    const res = await request(method, path, method === 'DELETE' ? {} : { body: { schemas: [SCHEMA_USER] } });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '405' });
  });
});
