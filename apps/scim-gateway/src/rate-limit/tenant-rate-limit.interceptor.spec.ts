import { type CanActivate, Controller, type ExecutionContext, Get, HttpCode, Injectable, Module, Patch, Post, UseGuards } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter } from '@taskize/http';
import { metrics } from '@taskize/observability';
import { SCHEMA_ERROR, ScimErrors } from '@taskize/scim-core';
import type { FastifyRequest } from 'fastify';
import type { Tenant } from '../auth/auth.client';
import { loadConfig } from '../config';
import { CONFIG } from '../shared/tokens';
import { RATE_LIMIT_CLOCK, tenantRateLimitProvider } from './tenant-rate-limit.interceptor';

// The interceptor wired as app.module.ts wires it (a global APP_INTERCEPTOR) in Nest + Fastify, through Fastify's
// inject. A stand-in for BearerTokenGuard sets `request.tenant` from test headers, or answers 401 as the real one does.
@Injectable()
class StandInTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { tenant?: Tenant }>();
    const org = request.headers['x-org'];
    if (typeof org !== 'string') throw ScimErrors.unauthorized('no bearer token');
    request.tenant = { organisationId: org, slug: org, plan: String(request.headers['x-plan'] ?? 'free') };
    return true;
  }
}

@Controller('scim/v2/Users')
@UseGuards(StandInTokenGuard)
class GuardedController {
  @Get()
  list() {
    return { Resources: [] };
  }

  @Post()
  @HttpCode(201)
  create() {
    return { id: 'u' };
  }

  @Patch(':id')
  patch() {
    return { id: 'u' };
  }
}

@Controller('scim/v2/ServiceProviderConfig')
class OpenController {
  @Get()
  get() {
    return { patch: { supported: true } };
  }
}

const REQUIRED = { KAFKA_BROKERS: '127.0.0.1:9', INTERNAL_API_TOKEN: 'x'.repeat(32) };
const BODY_LIMIT = 1024 * 1024;

let app: NestFastifyApplication | undefined;
let t = 0;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(env: Record<string, string> = {}): Promise<void> {
  t = 0;
  @Module({
    controllers: [GuardedController, OpenController],
    providers: [{ provide: CONFIG, useValue: loadConfig({ ...REQUIRED, ...env }) }, { provide: RATE_LIMIT_CLOCK, useValue: () => t }, StandInTokenGuard, tenantRateLimitProvider],
  })
  class ProbeModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT }), { bodyParser: false, logger: false });
  configureScimFastify(app, BODY_LIMIT);
  app.useGlobalFilters(new ScimExceptionFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}

type Method = 'GET' | 'POST' | 'PATCH';
const PATHS: Record<Method, string> = { GET: '/scim/v2/Users', POST: '/scim/v2/Users', PATCH: '/scim/v2/Users/u' };

async function call(method: Method, org?: string, plan?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
  if (org !== undefined) headers['x-org'] = org;
  if (plan !== undefined) headers['x-plan'] = plan;
  const res = await app!.inject({ method, url: PATHS[method], headers, ...(method === 'GET' ? {} : { payload: '{}' }) });
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** `n` requests at the same instant, cycling through reads and writes; returns the statuses. */
async function burst(n: number, org: string, plan?: string): Promise<number[]> {
  const methods: Method[] = ['GET', 'POST', 'PATCH'];
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await call(methods[i % 3]!, org, plan)).status);
  return statuses;
}

const refused = (statuses: number[]) => statuses.filter((s) => s === 429).length;

async function rateLimitedCount(plan: string): Promise<number> {
  const { values } = await metrics.rateLimited().get();
  return values.find((v) => v.labels['plan'] === plan)?.value ?? 0;
}

describe('TenantRateLimitInterceptor', () => {
  it.each([
    // [plan, env, requests at once, refused] — defaults: two seconds of rate as burst
    ['free', {}, 51, 1],
    ['team', {}, 101, 1],
    ['business', {}, 201, 1],
    ['enterprise', {}, 301, 1],
    ['a plan this gateway does not know (free’s limits)', {}, 51, 1],
    ['free', { RATE_LIMIT_FREE_PER_SECOND: '30', RATE_LIMIT_FREE_BURST: '30' }, 40, 10],
  ] as const)('holds %s (%o) to its burst, reads and writes alike', async (plan, env, n, expected) => {
    await start(env);
    const statuses = await burst(n, 'acme', plan.startsWith('a plan') ? 'platinum' : plan);
    expect(refused(statuses)).toBe(expected);
    expect(statuses.slice(0, n - expected).every((s) => s === 200 || s === 201)).toBe(true);
  });

  it('answers 429 with Retry-After in whole seconds and an RFC 7644 §3.12 body without scimType', async () => {
    await start();
    await burst(50, 'acme');
    const res = await call('POST', 'acme');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: [SCHEMA_ERROR], status: '429', detail: expect.stringContaining('too many requests') });
  });

  it.each([
    ['team', 'team'],
    ['platinum', 'other'],
  ])('counts each 429 on scim_rate_limited_total by plan (%s → %s)', async (plan, label) => {
    await start();
    const before = await rateLimitedCount(label);
    const statuses = await burst(110, 'acme', plan);
    expect((await rateLimitedCount(label)) - before).toBe(refused(statuses));
    expect(refused(statuses)).toBeGreaterThan(0);
  });

  it('refills at the plan’s rate: 25 more requests one second later on free', async () => {
    await start();
    await burst(50, 'acme');
    t += 1_000;
    expect(refused(await burst(26, 'acme'))).toBe(1);
  });

  it('keeps tenants apart: one exhausted tenant does not slow another', async () => {
    await start();
    expect(refused(await burst(200, 'greedy'))).toBe(150);
    expect(refused(await burst(50, 'polite'))).toBe(0);
  });

  it('spends no budget on unauthenticated requests: the guard answers 401 before the bucket is touched', async () => {
    await start();
    for (let i = 0; i < 100; i++) expect((await call('GET')).status).toBe(401);
    expect(refused(await burst(50, 'acme'))).toBe(0);
  });

  it('never limits routes without a tenant (discovery is open, RFC 7644 §4)', async () => {
    await start();
    for (let i = 0; i < 100; i++) {
      const res = await app!.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig' });
      expect(res.statusCode).toBe(200);
    }
  });
});
