import { admin, serviceEnv, startService } from '@taskize/devstack';
import { findOnTopic, infra, killService, parsePrometheus, queryDb, readState, scim, sumOf, uniqueSlug, waitFor } from '@taskize/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium } from './browser';

/**
 * "Authenticate with Taskize Connect" end to end (seed guide steps 2–5): headless Chromium plays the
 * Okta admin, this test plays Okta's servers (authorize URL without scope, Basic client auth at the
 * token endpoint, refresh), against the real auth service, gateway and MariaDB.
 */
const auth = () => readState().authUrl;
const PASSWORD = 'correct horse battery staple';
const env = () => infra();

interface Client {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  redirectUris: string[];
}
interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

let browser: Browser;
let client: Client;
let redirectUri: string;

async function cli(args: string[]): Promise<string> {
  return admin(env(), 'test', args);
}

async function newOrg(plan = 'business'): Promise<{ id: string; slug: string; name: string }> {
  const slug = uniqueSlug('oauth');
  return JSON.parse(await cli(['org:create', '--slug', slug, '--name', `Org ${slug}`, '--plan', plan])) as { id: string; slug: string; name: string };
}

async function newUser(orgSlug: string, role: 'admin' | 'member' = 'admin', email = `${uniqueSlug('u')}@example.com`): Promise<string> {
  await cli(['user:create', '--org', orgSlug, '--email', email, '--password', PASSWORD, '--role', role]);
  return email;
}

function authorizeUrl(params: Record<string, string> = {}): string {
  // As Okta builds it: response_type, client_id, redirect_uri, state — and no scope.
  const q = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri, state: randomBytes(8).toString('hex'), ...params });
  return `${client.authorizeUrl}?${q}`;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Okta's callback host cannot be reached from here: the request is captured, then aborted.
  await page.route((url) => url.href.startsWith('https://system-admin.'), (route) => route.abort());
  return { context, page };
}

/** Email, then password; returns on the page that follows (consent, picker or a problem page). */
async function signIn(page: Page, email: string, opts: { url?: string; password?: string; screenshots?: string } = {}): Promise<void> {
  await page.goto(opts.url ?? authorizeUrl());
  await page.getByLabel('Email address').fill(email);
  if (opts.screenshots) await shot(page, `${opts.screenshots}-1-email`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').fill(opts.password ?? PASSWORD);
  if (opts.screenshots) await shot(page, `${opts.screenshots}-2-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
}

/** Clicks a button that ends at Okta's callback and returns that callback URL. */
async function toCallback(page: Page, button: string): Promise<URL> {
  const request = page.waitForRequest((r) => r.url().startsWith(redirectUri));
  await page.getByRole('button', { name: button }).click();
  return new URL((await request).url());
}

async function token(body: Record<string, string>, how: 'basic' | 'post' = 'basic'): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const form = new URLSearchParams(body);
  if (how === 'basic') headers['authorization'] = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`;
  else {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  const res = await fetch(client.tokenUrl, { method: 'POST', headers, body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const exchange = (code: string, extra: Record<string, string> = {}, how: 'basic' | 'post' = 'basic') => token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...extra }, how);
const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', refresh_token: refreshToken });

async function connection(grantId: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${auth()}/internal/connections/${encodeURIComponent(grantId)}`, { headers: { 'x-internal-token': env()['INTERNAL_API_TOKEN'] ?? '' } });
  return { status: res.status, body: await res.json() };
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The whole happy path for an admin of `org`: consent → code → tokens. */
async function connect(email: string, opts: { screenshots?: string; expectOrg?: string } = {}): Promise<{ tokens: Tokens; grantId: string }> {
  const { context, page } = await newPage();
  try {
    const url = authorizeUrl();
    const state = new URL(url).searchParams.get('state');
    await signIn(page, email, { url, screenshots: opts.screenshots });
    await page.getByRole('heading', { name: 'Permissions requested' }).waitFor();
    if (opts.expectOrg) expect(await page.textContent('main')).toContain(opts.expectOrg);
    if (opts.screenshots) {
      await shot(page, `${opts.screenshots}-3-consent`);
      await page.setViewportSize({ width: 375, height: 740 });
      await shot(page, `${opts.screenshots}-3-consent-mobile`);
    }
    const callback = await toCallback(page, 'Approve');
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();
    const { status, json } = await exchange(code ?? '');
    expect(status).toBe(200);
    const tokens = json as unknown as Tokens;
    return { tokens, grantId: String(claims(tokens.access_token)['grant_id']) };
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  browser = await launchChromium();
  // Okta's OIN callback, with a unique app name so concurrent runs do not share a client.
  redirectUri = `https://system-admin.okta.com/admin/app/cpc/${uniqueSlug('app')}/oauth/callback`;
  client = JSON.parse(await cli(['client:create', '--name', 'Okta', '--redirect-uri', redirectUri, 'https://system-admin.okta-emea.com/admin/app/cpc/x/oauth/callback', '--json'])) as Client;
});

afterAll(async () => {
  await browser?.close();
});

describe('Authenticate with Taskize Connect (browser)', () => {
  it('an admin of a Business organisation connects Okta: consent, code, JWT, SCIM call, refresh, SCIM call', async () => {
    const org = await newOrg('business');
    const email = await newUser(org.slug, 'admin');
    const { tokens, grantId } = await connect(email, { screenshots: 'approve', expectOrg: org.name });

    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'scim:users scim:groups', refresh_token: expect.any(String) });
    // The gateway's contract (ADR 0003): verified against the published JWKS.
    const jwks = createRemoteJWKSet(new URL(`${auth()}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: `${auth()}/oauth`,
      audience: `${readState().gatewayUrl}/scim/v2`,
      typ: 'at+jwt',
      algorithms: ['RS256', 'ES256'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ org_id: org.id, grant_id: grantId, client_id: client.clientId, scope: 'scim:users scim:groups', jti: expect.any(String) });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(await connection(grantId)).toEqual({ status: 200, body: { organisationId: org.id, slug: org.slug, plan: 'business', active: true } });

    // What Okta does after the exchange ("verified successfully").
    const first = await scim('GET', '/Users?startIndex=1&count=2', { token: tokens.access_token });
    expect(first.status).toBe(200);

    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const next = refreshed.json as unknown as Tokens;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(claims(next.access_token)).toMatchObject({ org_id: org.id, grant_id: grantId });
    expect((await scim('GET', '/Users?startIndex=1&count=2', { token: next.access_token })).status).toBe(200);
  });

  it('Deny sends Okta access_denied with its state, and no code', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const { context, page } = await newPage();
    const url = authorizeUrl();
    await signIn(page, email, { url });
    const callback = await toCallback(page, 'Deny');
    await context.close();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(new URL(url).searchParams.get('state'));
    expect(callback.searchParams.has('code')).toBe(false);
    expect(await queryDb('auth', 'SELECT grant_id FROM connections WHERE organisation_id = ?', [org.id])).toEqual([]);
  });

  it.each([
    ['a member who is not an administrator', 'business', 'member', 'You are not an administrator', 'not-admin'],
    ['an admin of a Free-plan organisation', 'free', 'admin', 'Your plan does not include Okta provisioning', 'free-plan'],
    ['an admin of a Team-plan organisation', 'team', 'admin', 'Your plan does not include Okta provisioning', 'team-plan'],
  ] as const)('%s sees why, and returns to Okta with access_denied', async (_who, plan, role, heading, name) => {
    const org = await newOrg(plan);
    const email = await newUser(org.slug, role);
    const { context, page } = await newPage();
    await signIn(page, email);
    await page.getByRole('heading', { name: heading }).waitFor();
    await shot(page, name);
    const callback = await toCallback(page, 'Return to Okta');
    await context.close();
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('a disabled account is told so after the right password (and only then)', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    await cli(['user:disable', '--email', email]);
    const { context, page } = await newPage();
    await signIn(page, email, { password: 'wrong password entirely' });
    expect(await page.textContent('main')).toContain('The email address or password is incorrect.');
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Your account is disabled' }).waitFor();
    await shot(page, 'disabled');
    const callback = await toCallback(page, 'Return to Okta');
    await context.close();
    expect(callback.searchParams.get('error')).toBe('access_denied');
  });

  it('an unknown email gets the same password step and the same answer as a wrong password', async () => {
    const { context, page } = await newPage();
    await signIn(page, `${uniqueSlug('nobody')}@example.com`);
    const unknown = (await page.textContent('main'))?.replace(/\S+@example\.com/, 'EMAIL');
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    await signIn(page, email, { password: 'wrong password entirely' });
    const wrong = (await page.textContent('main'))?.replace(/\S+@example\.com/, 'EMAIL');
    await shot(page, 'wrong-password');
    await context.close();
    expect(unknown).toBe(wrong);
  });

  it('an admin of several organisations picks one; the token carries that one', async () => {
    const [a, b] = [await newOrg(), await newOrg('enterprise')];
    const email = await newUser(a.slug, 'admin');
    await newUser(b.slug, 'admin', email);
    const { context, page } = await newPage();
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Choose an organisation' }).waitFor();
    await shot(page, 'organisation-picker');
    await page.getByRole('button', { name: b.name }).click();
    await page.getByRole('heading', { name: 'Permissions requested' }).waitFor();
    expect(await page.textContent('main')).toContain(b.name);
    const code = (await toCallback(page, 'Approve')).searchParams.get('code') ?? '';
    await context.close();
    const { status, json } = await exchange(code, {}, 'post'); // client_secret_post works too
    expect(status).toBe(200);
    expect(claims(String(json['access_token']))['org_id']).toBe(b.id);
  });

  it('Re-authenticate replaces the connection: the old tokens stop working, the new ones work', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const old = await connect(email);
    const fresh = await connect(email);
    expect(fresh.grantId).not.toBe(old.grantId);
    expect((await connection(old.grantId)).status).toBe(404);
    expect((await connection(fresh.grantId)).status).toBe(200);
    expect(await refresh(old.tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await refresh(fresh.tokens.refresh_token)).status).toBe(200);
    // The gateway re-checks the connection (cached ≤ 30 s): the old access token is refused in time.
    await waitFor(async () => (await scim('GET', '/Users?startIndex=1&count=2', { token: old.tokens.access_token })).status === 401, { timeoutMs: 40_000, what: 'the gateway to refuse the replaced token' });
    expect((await scim('GET', '/Users?startIndex=1&count=2', { token: fresh.tokens.access_token })).status).toBe(200);
  });

  it('an operator lists and disconnects a connection: its tokens stop working', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const { tokens, grantId } = await connect(email);
    const listed = (await cli(['connection:list', '--org', org.slug])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(listed).toEqual([expect.objectContaining({ grantId, clientId: client.clientId, clientName: 'Okta', approvedBy: email })]);
    await cli(['connection:revoke', '--org', org.slug, '--grant', grantId]);
    expect((await connection(grantId)).status).toBe(404);
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await cli(['connection:list', '--org', org.slug])).trim()).toBe('');
    await expect(cli(['connection:revoke', '--org', org.slug, '--grant', grantId])).rejects.toThrow('no current connection');
  });

  it('an expired or unknown interaction shows a clear page', async () => {
    const { context, page } = await newPage();
    const res = await page.goto(`${auth()}/interaction/${randomBytes(16).toString('base64url')}`);
    expect(res?.status()).toBe(400);
    await page.getByRole('heading', { name: 'This sign-in has expired' }).waitFor();
    await shot(page, 'expired');
    await context.close();
  });
});

/**
 * Issue 5 item 7, one person, one identity: a Taskize account is a member of its organisation's directory
 * (Okta's `userName eq` finds and links it, never a duplicate), and the directory's identity events decide
 * whether that person may still sign in.
 */
describe('one person, one identity', () => {
  const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
  const patchActive = (active: boolean) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active } }] });
  const scimToken = async (orgSlug: string) => (await cli(['token:create', '--org', orgSlug])).trim();
  const addAccount = async (orgSlug: string, email: string, role: 'admin' | 'member' = 'admin') =>
    JSON.parse(await cli(['user:create', '--org', orgSlug, '--email', email, '--password', PASSWORD, '--role', role])) as { userId: string; organisationId: string };
  const lookup = async (token: string, userName: string) => {
    const res = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { token });
    expect(res.status).toBe(200);
    return res.body['Resources'] as ({ id: string; userName: string; active: boolean } & Record<string, unknown>)[];
  };
  const linkedUser = (token: string, userName: string) =>
    waitFor(async () => (await lookup(token, userName))[0], { what: `${userName} in the directory`, timeoutMs: 20_000 });
  const userEvent = (organisationId: string, subject: string, type: string) =>
    findOnTopic('identity.events', (v, key) => {
      const e = v as { type: string; subject: string; data: Record<string, unknown> };
      return key === organisationId && e.subject === subject && e.type === type ? e : undefined;
    });
  const membershipDeactivated = (organisationId: string, userId: string, deactivated: boolean) =>
    waitFor(
      async () => {
        const [row] = await queryDb<{ d: Date | null }>('auth', 'SELECT directory_deactivated_at AS d FROM memberships WHERE organisation_id = ? AND user_id = ?', [organisationId, userId]);
        return row !== undefined && (row.d !== null) === deactivated;
      },
      { what: `membership ${deactivated ? 'deactivated' : 'active'} in auth`, timeoutMs: 20_000 },
    );

  it('an account is in its directory: Okta finds it by userName (any case) and links it; a create answers 409; one user.created', async () => {
    const org = await newOrg();
    const email = `${uniqueSlug('ada')}@example.com`;
    const { userId } = await addAccount(org.slug, email);
    // The admin connects Okta, and Okta's first import looks the admin up with the new token.
    const { tokens } = await connect(email);
    const oktaUserName = email.replace(/^ada/, 'Ada').replace('example.com', 'Example.COM');
    const found = await linkedUser(tokens.access_token, oktaUserName);
    expect(found).toMatchObject({ userName: email, active: true, emails: [{ value: email, type: 'work', primary: true }] });
    expect(found).not.toHaveProperty('taskizeAccountId'); // not a SCIM attribute
    // "Creates or links a user": Okta links (PUT its profile onto the found id); a blind create is refused.
    const dup = await scim('POST', '/Users', { token: tokens.access_token, body: { schemas: [USER], userName: oktaUserName, active: true } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ scimType: 'uniqueness', status: '409' });
    const put = await scim('PUT', `/Users/${found.id}`, {
      token: tokens.access_token,
      body: { schemas: [USER], userName: email, externalId: '00u-okta-1', name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ value: email, type: 'work', primary: true }], active: true },
    });
    expect(put.status).toBe(200);
    expect(await lookup(tokens.access_token, email)).toHaveLength(1);
    const created = await userEvent(org.id, found.id, 'com.taskize.identity.user.created.v1');
    expect(created.data['user']).toMatchObject({ id: found.id, userName: email, taskizeAccountId: userId });
    const updated = await userEvent(org.id, found.id, 'com.taskize.identity.user.updated.v1');
    expect(updated.data).toMatchObject({ user: { externalId: '00u-okta-1', taskizeAccountId: userId } });
    const rows = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM users WHERE tenant_id = ? AND user_name_lower = ?', [org.id, email]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('an account added for someone Okta pushed already is linked to that user, not duplicated', async () => {
    const org = await newOrg();
    const token = await scimToken(org.slug);
    const email = `${uniqueSlug('grace')}@example.com`;
    const pushed = await scim('POST', '/Users', { token, body: { schemas: [USER], userName: email.toUpperCase(), active: true } });
    expect(pushed.status).toBe(201);
    const { userId } = await addAccount(org.slug, email, 'member');
    const linked = await userEvent(org.id, String(pushed.body['id']), 'com.taskize.identity.user.updated.v1');
    expect(linked.data).toMatchObject({ changedAttributes: ['taskizeAccountId'], user: { id: pushed.body['id'], userName: email.toUpperCase(), taskizeAccountId: userId } });
    expect(await lookup(token, email)).toEqual([expect.objectContaining({ id: pushed.body['id'] })]);
    expect((await queryDb<{ account_id: string }>('directory', 'SELECT account_id FROM users WHERE tenant_id = ?', [org.id])).map((r) => r.account_id)).toEqual([userId]);
  });

  it('deactivated through SCIM: cannot sign in or refresh; reactivated: can again; deleted: cannot', async () => {
    const org = await newOrg();
    const token = await scimToken(org.slug);
    const email = `${uniqueSlug('lin')}@example.com`;
    const { userId } = await addAccount(org.slug, email);
    const user = await linkedUser(token, email);
    const { tokens, grantId } = await connect(email);

    expect((await scim('PATCH', `/Users/${user.id}`, { token, body: patchActive(false) })).status).toBe(200);
    await membershipDeactivated(org.id, userId, true);
    // The connection this person approved stops too: the gateway's check (≤ 30 s cache) and every refresh.
    expect((await connection(grantId)).status).toBe(404);
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    const { context, page } = await newPage();
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Your account is deactivated' }).waitFor();
    await shot(page, 'deactivated-in-directory');
    await context.close();

    expect((await scim('PATCH', `/Users/${user.id}`, { token, body: patchActive(true) })).status).toBe(200);
    await membershipDeactivated(org.id, userId, false);
    const again = await connect(email);
    expect((await connection(again.grantId)).status).toBe(200);
    expect((await scim('GET', '/Users?startIndex=1&count=1', { token: again.tokens.access_token })).status).toBe(200);

    expect((await scim('DELETE', `/Users/${user.id}`, { token })).status).toBe(204);
    await membershipDeactivated(org.id, userId, true);
    expect(await refresh(again.tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('tenants stay apart: one person in two organisations is two directory users; deactivated in one, they still connect the other', async () => {
    const [orgA, orgB] = await Promise.all([newOrg(), newOrg()]);
    const [tokenA, tokenB] = await Promise.all([scimToken(orgA.slug), scimToken(orgB.slug)]);
    const email = `${uniqueSlug('both')}@example.com`;
    const { userId } = await addAccount(orgA.slug, email);
    await addAccount(orgB.slug, email);
    const [inA, inB] = await Promise.all([linkedUser(tokenA, email), linkedUser(tokenB, email)]);
    expect(inA.id).not.toBe(inB.id);
    expect(await lookup(tokenA, `other.${email}`)).toEqual([]);
    expect((await scim('GET', `/Users/${inB.id}`, { token: tokenA })).status).toBe(404);

    expect((await scim('PATCH', `/Users/${inA.id}`, { token: tokenA, body: patchActive(false) })).status).toBe(200);
    await membershipDeactivated(orgA.id, userId, true);
    // No organisation picker any more: B is the only organisation this person may act for.
    const { tokens } = await connect(email, { expectOrg: orgB.name });
    expect(claims(tokens.access_token)['org_id']).toBe(orgB.id);
    expect((await lookup(tokenB, email))[0]).toMatchObject({ id: inB.id, active: true });
    const [rowB] = await queryDb<{ d: Date | null }>('auth', 'SELECT directory_deactivated_at AS d FROM memberships WHERE organisation_id = ? AND user_id = ?', [orgB.id, userId]);
    expect(rowB?.d).toBeNull();
  });
});

describe('refresh tokens and Okta retries', () => {
  it('a refresh retried within the grace window still works; the lost token is void; a second replay revokes', async () => {
    const org = await newOrg();
    const { tokens, grantId } = await connect(await newUser(org.slug, 'admin'));
    const lost = await refresh(tokens.refresh_token); // Okta never saw this answer
    expect(lost.status).toBe(200);
    const retry = await refresh(tokens.refresh_token);
    expect(retry.status).toBe(200);
    expect(await refresh(String(lost.json['refresh_token']))).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await connection(grantId)).status).toBe(200);
    // The same old token a third time is a replay: the whole grant goes.
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(await refresh(String(retry.json['refresh_token']))).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await connection(grantId)).status).toBe(404);
  });

  it('a consumed refresh token replayed after the grace window revokes the grant', async () => {
    const org = await newOrg();
    const { tokens, grantId } = await connect(await newUser(org.slug, 'admin'));
    const next = await refresh(tokens.refresh_token);
    expect(next.status).toBe(200);
    // 61 s pass (moved in the database rather than slept through).
    await queryDb('auth', "UPDATE oidc_payloads SET consumed_at = consumed_at - INTERVAL 61 SECOND WHERE model = 'RefreshToken' AND id_hash = ?", [
      createHash('sha256').update(tokens.refresh_token).digest('hex'),
    ]);
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(await refresh(String(next.json['refresh_token']))).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await connection(grantId)).status).toBe(404);
  });

  it.each([
    ['the admin is demoted to member', (org: { slug: string; id: string }, userId: string) => queryDb('auth', "UPDATE memberships SET role = 'member' WHERE organisation_id = ? AND user_id = ?", [org.id, userId])],
    ['the plan drops to Team', (org: { slug: string; id: string }) => cli(['org:set-plan', '--org', org.slug, '--plan', 'team'])],
    ['the account is disabled', (_org: { slug: string; id: string }, userId: string) => queryDb('auth', 'UPDATE users SET disabled_at = NOW(3) WHERE id = ?', [userId])],
  ])('when %s, refresh fails and the connection is inactive', async (_what, change) => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const { tokens, grantId } = await connect(email);
    const [user] = await queryDb<{ id: string }>('auth', 'SELECT id FROM users WHERE email = ?', [email]);
    await change(org, user?.id ?? '');
    expect((await connection(grantId)).status).toBe(404);
    expect(await refresh(tokens.refresh_token)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });
});

describe('attacks', () => {
  it.each([
    ['an unregistered callback', 'https://evil.example.com/admin/app/cpc/x/oauth/callback'],
    ['a look-alike host', 'https://system-admin.okta.com.evil.example/admin/app/cpc/x/oauth/callback'],
    ['another path on the registered host (open redirect)', 'https://system-admin.okta.com/admin/app/cpc/other/oauth/callback'],
    ['the registered URI plus a query', 'REGISTERED?next=https://evil.example.com'],
  ])('%s gets an error page and no redirect', async (_what, uri) => {
    const target = uri.replace('REGISTERED', redirectUri);
    const { context, page } = await newPage();
    const redirected: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(auth())) redirected.push(r.url());
    });
    const res = await page.goto(authorizeUrl({ redirect_uri: target }));
    expect(res?.status()).toBe(400);
    await page.getByRole('heading', { name: 'This connection request is not valid' }).waitFor();
    if (_what === 'an unregistered callback') await shot(page, 'invalid-redirect-uri');
    await context.close();
    expect(redirected).toEqual([]);
  });

  it('an authorization code used twice fails, and revokes what the first use issued', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const { context, page } = await newPage();
    await signIn(page, email);
    const code = (await toCallback(page, 'Approve')).searchParams.get('code') ?? '';
    await context.close();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(await exchange(code)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(await refresh(String(first.json['refresh_token']))).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await connection(String(claims(String(first.json['access_token']))['grant_id']))).status).toBe(404);
  });

  it('PKCE is enforced when sent: no verifier or a wrong one fails, the right one works', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { context, page } = await newPage();
      await signIn(page, email, { url: authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }) });
      codes.push((await toCallback(page, 'Approve')).searchParams.get('code') ?? '');
      await context.close();
    }
    expect(await exchange(codes[0] ?? '')).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(await exchange(codes[1] ?? '', { code_verifier: randomBytes(32).toString('base64url') })).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect((await exchange(codes[2] ?? '', { code_verifier: verifier })).status).toBe(200);
  });

  it('a wrong client secret is refused at the token endpoint', async () => {
    const res = await fetch(client.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.clientId}:not-the-secret`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  describe('CSRF on consent', () => {
    let page: Page;
    let context: BrowserContext;
    let org: { id: string; slug: string; name: string };
    let uid: string;
    let cookie: string;
    let csrf: string;

    beforeEach(async () => {
      org = await newOrg();
      ({ context, page } = await newPage());
      await signIn(page, await newUser(org.slug, 'admin'));
      await page.getByRole('heading', { name: 'Permissions requested' }).waitFor();
      uid = new URL(page.url()).pathname.split('/').pop() ?? '';
      cookie = (await context.cookies(page.url())).map((c) => `${c.name}=${c.value}`).join('; ');
      csrf = (await page.locator('input[name=csrf]').first().getAttribute('value')) ?? '';
    });
    afterEach(() => context.close());

    const confirm = (headers: Record<string, string>, body: string) =>
      fetch(`${auth()}/interaction/${uid}/confirm`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

    it.each([
      ['from another site (Origin), with the cookie and token', () => ({ cookie, origin: 'https://evil.example.com' }), () => `csrf=${csrf}`, 403],
      ['with the cookie but without the token', () => ({ cookie }), () => '', 403],
      ['with the cookie and a forged token', () => ({ cookie }), () => `csrf=${'A'.repeat(43)}`, 403],
      ['without the interaction cookie (a cross-site form post)', () => ({}), () => `csrf=${csrf}`, 400],
    ])('a POST %s is refused and connects nothing', async (_what, headers, body, status) => {
      const res = await confirm(headers(), body());
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBeNull();
      expect(await queryDb('auth', 'SELECT grant_id FROM connections WHERE organisation_id = ?', [org.id])).toEqual([]);
    });

    it('the genuine POST (cookie, token, same origin) connects', async () => {
      const res = await confirm({ cookie, origin: new URL(auth()).origin }, `csrf=${csrf}`);
      expect(res.status).toBe(303);
      expect(await queryDb('auth', 'SELECT grant_id FROM connections WHERE organisation_id = ?', [org.id])).toHaveLength(1);
    });
  });

  it('failed sign-ins are throttled per account: after 5, even the right password waits', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const { context, page } = await newPage();
    for (let i = 0; i < 5; i++) {
      await signIn(page, email, { password: `wrong password ${i}` });
      expect(await page.textContent('main')).toContain('The email address or password is incorrect.');
    }
    await signIn(page, email);
    expect(await page.textContent('main')).toContain('Too many failed sign-ins');
    await shot(page, 'throttled');
    await context.close();
  });

  it('pages carry a strict CSP, no-store and no script', async () => {
    const res = await fetch(authorizeUrl(), { redirect: 'manual' });
    const interaction = await fetch(new URL(res.headers.get('location') ?? '', auth()), { headers: { cookie: res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } });
    const html = await interaction.text();
    expect(interaction.status).toBe(200);
    expect(interaction.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(interaction.headers.get('content-security-policy')).not.toContain('unsafe');
    expect(interaction.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toMatch(/<script/i);
  });

  it('the internal connection endpoint needs the internal token and answers 404 for unknown grants', async () => {
    expect((await fetch(`${auth()}/internal/connections/abc`)).status).toBe(401);
    expect((await connection(randomBytes(16).toString('base64url'))).status).toBe(404);
  });

  it('counts sign-in and consent outcomes on /metrics, without emails or tenants as labels', async () => {
    // Every flow above ran against this auth process (the rotation test below restarts it).
    const samples = parsePrometheus(await (await fetch(`${auth()}/metrics`)).text());
    expect(sumOf(samples, 'auth_interactions_total', { step: 'sign_in', result: 'success' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'auth_interactions_total', { step: 'sign_in', result: 'failure' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'auth_interactions_total', { step: 'sign_in', result: 'throttled' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'auth_interactions_total', { step: 'consent', result: 'approved' })).toBeGreaterThan(0);
    expect(sumOf(samples, 'auth_interactions_total', { step: 'consent', result: 'denied' })).toBeGreaterThan(0);
    expect(samples.flatMap((s) => Object.values(s.labels)).some((v) => v.includes('@'))).toBe(false);
  });

  it('the signing key in use is published with its kid', async () => {
    const org = await newOrg();
    const { tokens } = await connect(await newUser(org.slug, 'admin'));
    const { keys } = (await (await fetch(`${auth()}/oauth/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(keys.map((k) => k.kid)).toContain(decodeProtectedHeader(tokens.access_token).kid);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
  });
});

describe('signing key rotation (ADR 0003)', () => {
  it('a new first key signs after a restart; tokens signed by the previous key still verify and still reach the gateway', async () => {
    const org = await newOrg();
    const email = await newUser(org.slug, 'admin');
    const before = await connect(email);
    const current = JSON.parse(readFileSync(env()['AUTH_SIGNING_KEYS_FILE'] ?? '', 'utf8')) as { keys: Record<string, unknown>[] };
    const kid = `rotated-${randomBytes(4).toString('hex')}`;
    const fresh = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    const rotatedFile = join(__dirname, '../../../.cache/test/auth-signing-keys.rotated.json');
    writeFileSync(rotatedFile, JSON.stringify({ keys: [fresh, ...current.keys] }), { mode: 0o600 });

    const restartStandard = await killService('auth', 'SIGTERM');
    const rotated = await startService('auth', serviceEnv('auth', env(), 'test', { AUTH_SIGNING_KEYS_FILE: rotatedFile }));
    try {
      const after = await connect(email);
      expect(decodeProtectedHeader(after.tokens.access_token).kid).toBe(kid);
      const jwks = createRemoteJWKSet(new URL(`${auth()}/oauth/jwks`));
      const options = { issuer: `${auth()}/oauth`, audience: `${readState().gatewayUrl}/scim/v2`, typ: 'at+jwt' };
      await expect(jwtVerify(after.tokens.access_token, jwks, options)).resolves.toBeDefined();
      // Re-authenticate replaced `before`'s connection, so check its signature only; the new token goes end to end.
      await expect(jwtVerify(before.tokens.access_token, jwks, options)).resolves.toBeDefined();
      // The gateway refetches the JWKS for an unknown kid at most once per JWKS_COOLDOWN_MS (30 s): hence the
      // staged rotation of ADR 0003 (publish first, sign later); here, without the stage, it catches up in time.
      await waitFor(async () => (await scim('GET', '/Users?startIndex=1&count=2', { token: after.tokens.access_token })).status === 200, {
        timeoutMs: 45_000,
        intervalMs: 2_000,
        what: 'the gateway to fetch the rotated JWKS',
      });
    } finally {
      await rotated.stop();
      await restartStandard();
      rmSync(rotatedFile, { force: true });
    }
  });
});
