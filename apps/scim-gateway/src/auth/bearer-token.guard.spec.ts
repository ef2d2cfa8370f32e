import { Controller, Get, UseGuards } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ScimExceptionFilter, configureScimFastify, createFastifyAdapter } from '@taskize/http';
import { SCHEMA_ERROR } from '@taskize/scim-core';
import { type CryptoKey, type JWK, type JWTPayload, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { type GatewayConfig, loadConfig } from '../config';
import { CONFIG } from '../shared/tokens';
import { AccessTokenVerifier } from './access-token.verifier';
import { AuthClient, type Tenant } from './auth.client';
import { BearerTokenGuard, CurrentTenant } from './bearer-token.guard';
import { ConnectionClient } from './connection.client';
import { AuthServer, closedPort } from './test/auth-server';

// The guard on a probe controller inside Nest + Fastify as the gateway wires them, through Fastify's inject; the
// auth service is a real HTTP server on 127.0.0.1 serving the JWKS, connection status and opaque-token resolution.
@Controller('scim/v2')
@UseGuards(BearerTokenGuard)
class ProbeController {
  @Get(['Users', 'Users/:id', 'Groups', 'Groups/:id', 'ServiceProviderConfig', 'Schemas', 'ResourceTypes', 'ResourceTypes/:name'])
  tenant(@CurrentTenant() tenant: Tenant) {
    return tenant;
  }

  // A guarded route the scope table does not know.
  @Get('Widgets')
  widgets(@CurrentTenant() tenant: Tenant) {
    return tenant;
  }
}

const INTERNAL_TOKEN = 'internal-token-for-the-guard-spec-0123456789';
const AUDIENCE = 'http://127.0.0.1:3000/scim/v2';
const ORG = randomUUID();
const GRANT = 'grant-acme-1';
const CONNECTION = { organisationId: ORG, slug: 'acme', plan: 'business', active: true };
const TENANT: Tenant = { organisationId: ORG, slug: 'acme', plan: 'business' };
const BODY_LIMIT = 1024 * 1024;
const INVALID_TOKEN = 'Bearer realm="Taskize Connect", error="invalid_token"';

interface SigningKey {
  alg: 'RS256' | 'PS256' | 'ES256';
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomUUID()}`;
  return { alg, kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let auth: AuthServer;
let authUrl: string;
let issuer: string;
let keys: Record<SigningKey['alg'], SigningKey>;
/** Never in the JWKS until a test rotates it in. */
let nextKey: SigningKey;

beforeAll(async () => {
  auth = new AuthServer(INTERNAL_TOKEN);
  authUrl = await auth.start();
  issuer = `${authUrl}/oauth`;
  keys = { RS256: await signingKey('RS256'), PS256: await signingKey('PS256'), ES256: await signingKey('ES256') };
  nextKey = await signingKey('ES256');
});

afterAll(async () => {
  await auth.stop();
});

let app: NestFastifyApplication | undefined;

beforeEach(() => {
  auth.keys = Object.values(keys).map((k) => k.jwk);
  auth.jwksMode = 'ok';
  auth.connectionsMode = 'ok';
  auth.connections.clear();
  auth.connections.set(GRANT, CONNECTION);
  auth.opaqueTokens.clear();
  auth.requests.length = 0;
});

afterEach(async () => {
  jest.useRealTimers();
  await app?.close();
  app = undefined;
});

/** A fresh gateway per test, so no key set or connection answer is cached from another test. */
async function startGateway(env: Record<string, string> = {}): Promise<GatewayConfig> {
  const cfg = loadConfig({
    KAFKA_BROKERS: '127.0.0.1:9',
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    AUTH_URL: authUrl,
    PUBLIC_BASE_URL: AUDIENCE,
    // Key rotation is tested by its effect; production waits 30 s between fetches for unknown kids.
    JWKS_COOLDOWN_MS: '0',
    INTERNAL_HTTP_TIMEOUT_MS: '2000',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({
    controllers: [ProbeController],
    providers: [{ provide: CONFIG, useValue: cfg }, AuthClient, AccessTokenVerifier, ConnectionClient, BearerTokenGuard],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ bodyLimitBytes: BODY_LIMIT }), { bodyParser: false, logger: false });
  configureScimFastify(app, BODY_LIMIT);
  app.useGlobalFilters(new ScimExceptionFilter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return cfg;
}

async function get(path: string, authorization?: string) {
  const res = await app!.inject({ method: 'GET', url: `/scim/v2${path}`, headers: authorization === undefined ? {} : { authorization } });
  return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) as Record<string, unknown> };
}

const now = () => Math.floor(Date.now() / 1000);

interface Mint {
  key?: SigningKey;
  header?: Record<string, unknown>;
  claims?: JWTPayload;
  /** Claims to leave out of the default set. */
  without?: string[];
}

function defaultClaims(): JWTPayload {
  return {
    iss: issuer,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 3600,
    jti: randomUUID(),
    client_id: 'okta-oin-client',
    scope: 'scim:users scim:groups',
    org_id: ORG,
    grant_id: GRANT,
  };
}

async function mint({ key = keys.ES256, header = {}, claims = {}, without = [] }: Mint = {}): Promise<string> {
  const payload: JWTPayload = { ...defaultClaims(), ...claims };
  for (const claim of without) delete payload[claim];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header } as { alg: string }).sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectInvalidToken(res: Awaited<ReturnType<typeof get>>): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
  expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
  expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '401' });
}

describe('OAuth JWT access tokens', () => {
  it.each(['RS256', 'PS256', 'ES256'] as const)('accepts a valid %s token and takes the tenant from org_id and its connection', async (alg) => {
    await startGateway();
    const res = await get('/Users', `Bearer ${await mint({ key: keys[alg] })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(TENANT);
    const lookups = auth.requests.filter((r) => r.path === `/internal/connections/${GRANT}`);
    expect(lookups).toEqual([{ method: 'GET', path: `/internal/connections/${GRANT}`, internalToken: INTERNAL_TOKEN }]);
  });

  it.each([
    ['an audience list that contains the SCIM audience', { aud: ['https://other.example/api', AUDIENCE] }],
    ['typ written as a media type (RFC 9068 §2.1)', {}, { typ: 'application/at+jwt' }],
    ['an iat a few seconds ahead of our clock (tolerance)', { iat: now() + 10 }],
  ])('accepts %s', async (_, claims: JWTPayload, header: Record<string, unknown> = {}) => {
    await startGateway();
    expect((await get('/Users', `Bearer ${await mint({ claims, header })}`)).status).toBe(200);
  });

  it('honours SCIM_AUDIENCE and AUTH_ISSUER when they are set', async () => {
    await startGateway({ SCIM_AUDIENCE: 'https://scim.taskize.example/scim/v2', AUTH_ISSUER: 'https://auth.taskize.example/oauth', AUTH_JWKS_URL: `${authUrl}/oauth/jwks` });
    expectInvalidToken(await get('/Users', `Bearer ${await mint()}`));
    const token = await mint({ claims: { aud: 'https://scim.taskize.example/scim/v2', iss: 'https://auth.taskize.example/oauth' } });
    expect((await get('/Users', `Bearer ${token}`)).status).toBe(200);
  });

  // Each row is a token an attacker or a confused client could present; every one must be refused with invalid_token.
  const refused: [string, () => Promise<string>][] = [
    ['alg none (unsigned)', async () => `${b64({ alg: 'none', typ: 'at+jwt', kid: keys.ES256.kid })}.${b64(defaultClaims())}.`],
    [
      'HS256 signed with the public key bytes as the HMAC secret',
      async () => {
        const pem = await exportSPKI(keys.RS256.publicKey);
        return new SignJWT(defaultClaims()).setProtectedHeader({ alg: 'HS256', kid: keys.RS256.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(pem));
      },
    ],
    ['a wrong audience', () => mint({ claims: { aud: 'https://evil.example/scim/v2' } })],
    ['a wrong issuer', () => mint({ claims: { iss: 'https://evil.example/oauth' } })],
    ['an expired token (beyond the clock tolerance)', () => mint({ claims: { iat: now() - 7200, exp: now() - 120 } })],
    ['a token not valid yet (nbf in the future)', () => mint({ claims: { nbf: now() + 600 } })],
    ['a token issued in the future', () => mint({ claims: { iat: now() + 600 } })],
    ['typ JWT instead of at+jwt (an ID token, say)', () => mint({ header: { typ: 'JWT' } })],
    ['no typ', () => mint({ header: { typ: undefined } })],
    ['no kid', () => mint({ header: { kid: undefined } })],
    ['a kid the JWKS does not publish', () => mint({ key: nextKey })],
    ['a signature by another key under a published kid', () => mint({ key: { ...nextKey, kid: keys.ES256.kid } })],
    [
      'a payload changed after signing',
      async () => {
        const [h, , s] = (await mint()).split('.');
        return `${h}.${b64({ ...defaultClaims(), org_id: randomUUID() })}.${s}`;
      },
    ],
    ...['exp', 'iat', 'jti', 'client_id', 'scope', 'org_id', 'grant_id', 'aud', 'iss'].map(
      (claim) => [`no ${claim} claim`, () => mint({ without: [claim] })] as [string, () => Promise<string>],
    ),
    ['an org_id that is not a string', () => mint({ claims: { org_id: 42 } })],
  ];

  it.each(refused)('refuses %s with 401 invalid_token', async (_, token) => {
    await startGateway();
    expectInvalidToken(await get('/Users', `Bearer ${await token()}`));
  });

  it('follows a key rotation: an unknown kid is refused, then accepted once the JWKS publishes it', async () => {
    await startGateway();
    const token = await mint({ key: nextKey });
    expectInvalidToken(await get('/Users', `Bearer ${token}`));
    auth.keys = [...auth.keys, nextKey.jwk];
    expect((await get('/Users', `Bearer ${token}`)).status).toBe(200);
    // The old keys keep working during the overlap.
    expect((await get('/Users', `Bearer ${await mint({ key: keys.RS256 })}`)).status).toBe(200);
  });

  it('keeps the key set: known kids are verified without fetching the JWKS again', async () => {
    await startGateway();
    for (const alg of ['ES256', 'RS256', 'PS256', 'ES256'] as const) {
      expect((await get('/Users', `Bearer ${await mint({ key: keys[alg] })}`)).status).toBe(200);
    }
    expect(auth.count('/oauth/jwks')).toBe(1);
  });
});

describe('scope per endpoint', () => {
  it.each([
    ['/Users', 'scim:users', 200, undefined],
    ['/Users/2819c223-7f76-453a-919d-413861904646', 'scim:users', 200, undefined],
    ['/Users', 'scim:groups', 403, 'scim:users'],
    ['/Users', 'scim:usersX openid', 403, 'scim:users'],
    ['/Groups', 'scim:groups', 200, undefined],
    ['/Groups/2819c223-7f76-453a-919d-413861904646', 'scim:users', 403, 'scim:groups'],
    ['/Groups', 'scim:users', 403, 'scim:groups'],
    ['/ServiceProviderConfig', 'scim:users', 200, undefined],
    ['/Schemas', 'scim:groups', 200, undefined],
    ['/ResourceTypes/User', 'scim:groups', 200, undefined],
    ['/ResourceTypes', 'openid', 403, 'scim:users scim:groups'],
    ['/Schemas', '', 403, 'scim:users scim:groups'],
  ])('GET %s with scope "%s" → %i', async (path, scope, status, missing) => {
    await startGateway();
    const res = await get(path, `Bearer ${await mint({ claims: { scope } })}`);
    expect(res.status).toBe(status);
    if (status === 200) {
      expect(res.body).toEqual(TENANT);
    } else {
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="Taskize Connect", error="insufficient_scope", scope="${missing}"`);
      expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '403' });
    }
  });

  it('fails closed with an opaque 500 on a guarded route the scope table does not list', async () => {
    await startGateway();
    const res = await get('/Widgets', `Bearer ${await mint()}`);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '500' });
  });

  it('insufficient scope on a revoked connection is reported as invalid_token (re-authenticate first)', async () => {
    await startGateway();
    auth.connections.clear();
    expectInvalidToken(await get('/Groups', `Bearer ${await mint({ claims: { scope: 'scim:users' } })}`));
  });
});

describe('the connection behind a token', () => {
  it.each([
    ['revoked or replaced (404)', () => auth.connections.clear()],
    ['reported inactive', () => auth.connections.set(GRANT, { ...CONNECTION, active: false })],
    ['of another organisation than org_id', () => auth.connections.set(GRANT, { ...CONNECTION, organisationId: randomUUID() })],
  ])('refuses a token whose connection is %s with 401 invalid_token', async (_, arrange) => {
    await startGateway();
    arrange();
    expectInvalidToken(await get('/Users', `Bearer ${await mint()}`));
  });

  it('remembers an active connection for CONNECTION_CACHE_TTL_MS, then sees the revocation', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    const cfg = await startGateway();
    const token = `Bearer ${await mint()}`;
    expect((await get('/Users', token)).status).toBe(200);
    auth.connections.clear();
    jest.setSystemTime(Date.now() + cfg.CONNECTION_CACHE_TTL_MS - 1000);
    expect((await get('/Users', token)).status).toBe(200);
    expect(auth.count('/internal/connections/')).toBe(1);
    jest.setSystemTime(Date.now() + 1001);
    expectInvalidToken(await get('/Users', token));
    expect(auth.count('/internal/connections/')).toBe(2);
  });

  it('remembers a revoked connection only briefly', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    await startGateway();
    auth.connections.clear();
    const token = `Bearer ${await mint()}`;
    expectInvalidToken(await get('/Users', token));
    auth.connections.set(GRANT, CONNECTION);
    expectInvalidToken(await get('/Users', token));
    expect(auth.count('/internal/connections/')).toBe(1);
    jest.setSystemTime(Date.now() + 5001);
    expect((await get('/Users', token)).status).toBe(200);
    expect(auth.count('/internal/connections/')).toBe(2);
  });

  it('asks once for concurrent requests of one grant', async () => {
    await startGateway();
    const token = `Bearer ${await mint()}`;
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => get('/Users', token)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(auth.count('/internal/connections/')).toBe(1);
  });

  it('answers 503 with Retry-After when auth cannot say whether the connection is active', async () => {
    await startGateway();
    auth.connectionsMode = 'error';
    const res = await get('/Users', `Bearer ${await mint()}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '503' });
  });
});

describe('JWKS out of reach', () => {
  const outages: [string, () => void, 'closed' | 'up'][] = [
    ['answers 503', () => void (auth.jwksMode = 'error'), 'up'],
    ['answers something other than JSON', () => void (auth.jwksMode = 'not-json'), 'up'],
    ['answers JSON that is no key set', () => void (auth.keys = 'not-a-list' as unknown as JWK[]), 'up'],
    ['is not listening', () => undefined, 'closed'],
  ];
  it.each(outages)('answers 503 with Retry-After, not 401, when the JWKS %s', async (_, arrange, where) => {
    const env: Record<string, string> = where === 'closed' ? { AUTH_JWKS_URL: `http://127.0.0.1:${await closedPort()}/oauth/jwks` } : {};
    await startGateway(env);
    arrange();
    const res = await get('/Users', `Bearer ${await mint()}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '503' });
  });

  it('keeps verifying known kids from the cached key set while the JWKS is down', async () => {
    await startGateway();
    expect((await get('/Users', `Bearer ${await mint()}`)).status).toBe(200);
    auth.jwksMode = 'error';
    expect((await get('/Groups', `Bearer ${await mint({ key: keys.RS256 })}`)).status).toBe(200);
  });
});

describe('opaque SCIM bearer tokens and malformed credentials', () => {
  it.each(['/Users', '/Groups', '/Schemas', '/Widgets'])('an opaque token keeps full access: GET %s → 200', async (path) => {
    await startGateway();
    auth.opaqueTokens.set('tzc_live-token', TENANT);
    const res = await get(path, 'Bearer tzc_live-token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(TENANT);
    expect(auth.requests.map((r) => r.path)).toEqual(['/internal/tokens/resolve']);
  });

  it.each([
    ['an unknown opaque token', 'Bearer tzc_unknown', INVALID_TOKEN],
    ['a dotted token whose header is not JSON, resolved as opaque', 'Bearer abc.def.ghi', INVALID_TOKEN],
    ['no Authorization header', undefined, 'Bearer realm="Taskize Connect"'],
    ['a Basic credential', 'Basic dXNlcjpwYXNz', 'Bearer realm="Taskize Connect"'],
  ])('answers 401 for %s', async (_, authorization, challenge) => {
    await startGateway();
    const res = await get('/Users', authorization);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(challenge);
    expect(res.body).toMatchObject({ schemas: [SCHEMA_ERROR], status: '401' });
  });
});
