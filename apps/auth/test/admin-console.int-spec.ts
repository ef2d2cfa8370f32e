import { admin } from '@taskize/devstack';
import { infra, queryDb, readState, scim, uniqueSlug, waitFor } from '@taskize/testing';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SCREENSHOTS, launchChromium } from './browser';

/**
 * The signed-in admin console (issue 5 item 5, issue 6 item 8) in headless Chromium against the real
 * auth service, directory, gateway and MariaDB: sign-in rules, SCIM token life cycle as seen by the
 * gateway, the activity page answering "did Okta's push arrive?", tenant isolation and CSRF.
 */
const auth = () => readState().authUrl;
const PASSWORD = 'correct horse battery staple';
const NOT_ADMIN = 'Only an enabled administrator of a Taskize organisation can use the admin console.';
const WRONG_CREDENTIALS = 'The email address or password is incorrect.';

let browser: Browser;
interface Org {
  id: string;
  slug: string;
  name: string;
}
// Two organisations for the whole file: each admin CLI call is a process start, the slow part here.
let orgA: Org;
let orgB: Org;
let adminA: string;
let adminB: string;
let memberA: string;

const cli = (args: string[]) => admin(infra(), 'test', args);

async function newOrg(): Promise<Org> {
  const slug = uniqueSlug('console');
  return JSON.parse(await cli(['org:create', '--slug', slug, '--name', `Org ${slug}`, '--plan', 'business'])) as { id: string; slug: string; name: string };
}

async function newUser(orgSlug: string, role: 'admin' | 'member'): Promise<string> {
  const email = `${uniqueSlug(role)}@example.com`;
  await cli(['user:create', '--org', orgSlug, '--email', email, '--password', PASSWORD, '--role', role]);
  return email;
}

async function signIn(email: string, password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${auth()}/admin/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState();
  return { context, page };
}

async function createToken(page: Page, label: string): Promise<string> {
  await page.getByLabel('Label for a new token').fill(label);
  await page.getByRole('button', { name: 'Create token' }).click();
  return page.getByRole('textbox', { name: 'SCIM bearer token' }).inputValue();
}

const csrfOf = (page: Page) => page.locator('form[action="/admin/tokens"] input[name=csrf]').inputValue();
const listUsers = (token: string) => scim('GET', '/Users?startIndex=1&count=1', { token });

beforeAll(async () => {
  browser = await launchChromium();
  [orgA, orgB] = await Promise.all([newOrg(), newOrg()]);
  [adminA, adminB, memberA] = await Promise.all([newUser(orgA.slug, 'admin'), newUser(orgB.slug, 'admin'), newUser(orgA.slug, 'member')]);
});

afterAll(async () => {
  await browser?.close();
});

describe('admin console (browser)', () => {
  it('an admin creates a SCIM token, the gateway accepts it, the activity page shows the push and its event; revoking it stops the gateway accepting it', async () => {
    const { context, page } = await signIn(adminA);
    try {
      expect(new URL(page.url()).pathname).toBe('/admin');
      await page.getByRole('heading', { name: orgA.name }).waitFor();
      const token = await createToken(page, 'Entra ID production');
      expect(token).toMatch(/^tzc_/);
      // Listed by label only: the token itself never appears in the list.
      expect(await page.locator('table').textContent()).toContain('Entra ID production');
      expect(await page.locator('table').textContent()).not.toContain(token);

      const userName = `${uniqueSlug('pushed')}@example.com`;
      const created = await scim('POST', '/Users', {
        token,
        body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Ada', familyName: 'Lovelace' }, active: true },
      });
      expect(created.status).toBe(201);
      const userId = String(created.body['id']);

      // The outcome row is committed before the gateway answers, so the page has it now.
      await page.getByRole('link', { name: 'Provisioning activity' }).click();
      await page.getByRole('heading', { name: 'Provisioning activity' }).waitFor();
      const row = page.locator('tbody tr', { hasText: userId });
      await expect(row.textContent()).resolves.toContain('com.taskize.identity.user.created.v1');
      expect(await row.textContent()).toContain('Created (201)');
      expect(await row.textContent()).toContain('UserCreated');
      expect(await page.locator('dl.stats').textContent()).toMatch(/Errors, last 24 h\s*0/);
      expect(await page.locator('dl.stats').textContent()).not.toMatch(/Last successful request\s*—/);
      await page.screenshot({ path: join(SCREENSHOTS, 'admin-activity.png'), fullPage: true });

      await page.getByRole('link', { name: 'Connection and tokens' }).click();
      await page.screenshot({ path: join(SCREENSHOTS, 'admin-console.png'), fullPage: true });
      await page.setViewportSize({ width: 375, height: 740 });
      await page.screenshot({ path: join(SCREENSHOTS, 'admin-console-mobile.png'), fullPage: true });

      // Rotation: a second live token alongside the first, then the first is revoked.
      const second = await createToken(page, 'Entra ID rotation');
      expect(await page.locator('tbody tr').count()).toBe(2);
      await page.getByRole('button', { name: 'Revoke token Entra ID production' }).click();
      await page.getByRole('status').filter({ hasText: 'The token was revoked.' }).waitFor();
      expect(await page.locator('tbody tr').count()).toBe(1);
      // The gateway caches resolved tokens (TOKEN_CACHE_TTL_MS, 1 s in the test profile).
      await waitFor(async () => (await listUsers(token)).status === 401, { timeoutMs: 5000, what: 'the revoked token refused' });
      expect((await listUsers(second)).status).toBe(200);
    } finally {
      await context.close();
    }
  });

  it.each([
    ['a member (not an admin), right password', 'member', PASSWORD, NOT_ADMIN],
    ['an admin with a wrong password', 'admin', 'wrong password entirely', WRONG_CREDENTIALS],
    ['an unknown email', 'unknown', PASSWORD, WRONG_CREDENTIALS],
  ])('%s does not get in', async (_name, who, password, message) => {
    const email = who === 'unknown' ? `${uniqueSlug('nobody')}@example.com` : who === 'member' ? memberA : adminA;
    const { context, page } = await signIn(email, password);
    try {
      expect(await page.getByRole('alert').textContent()).toBe(message);
      await page.goto(`${auth()}/admin`);
      expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    } finally {
      await context.close();
    }
  });

  it('an admin of organisation B never sees nor revokes organisation A’s tokens and activity', async () => {
    const tokenA = (await cli(['token:create', '--org', orgA.slug])).trim();
    const pushed = await scim('POST', '/Users', {
      token: tokenA,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${uniqueSlug('a')}@example.com` },
    });
    expect(pushed.status).toBe(201);
    const [tokenIdA] = (await queryDb<{ id: string }>('auth', 'SELECT id FROM scim_tokens WHERE organisation_id = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1', [orgA.id])).map((r) => r.id);

    const sa = await signIn(adminA);
    const sb = await signIn(adminB);
    try {
      // A sees its own token and push; B sees neither.
      expect(await sa.page.locator('tbody tr', { hasText: '(no label)' }).count()).toBeGreaterThan(0);
      await sa.page.goto(`${auth()}/admin/activity`);
      expect(await sa.page.locator('main').textContent()).toContain(String(pushed.body['id']));
      expect(await sb.page.getByText('No live tokens.').count()).toBe(1);
      await sb.page.goto(`${auth()}/admin/activity`);
      expect(await sb.page.locator('main').textContent()).not.toContain(String(pushed.body['id']));
      expect(await sb.page.getByText('No provisioning requests yet.').count()).toBe(1);

      // B posts A's token id with B's own valid session and CSRF token: nothing matches in B's organisation.
      await sb.page.goto(`${auth()}/admin`);
      const res = await sb.page.request.post(`${auth()}/admin/tokens/revoke`, { form: { csrf: await csrfOf(sb.page), tokenId: tokenIdA ?? '' }, maxRedirects: 0 });
      expect(res.status()).toBe(404);
      expect((await listUsers(tokenA)).status).toBe(200);
    } finally {
      await Promise.all([sa.context.close(), sb.context.close()]);
    }
  });

  it('an admin disconnects their organisation’s Okta connection; another organisation’s admin cannot', async () => {
    // A connection as Approve records it (the OAuth flow itself is oauth.int-spec.ts's subject).
    const client = JSON.parse(await cli(['client:create', '--name', 'Okta', '--redirect-uri', `https://system-admin.okta.com/admin/app/cpc/${uniqueSlug('app')}/oauth/callback`, '--json'])) as { clientId: string };
    const [user] = await queryDb<{ id: string }>('auth', 'SELECT id FROM users WHERE email = ?', [adminA]);
    const grantId = uniqueSlug('grant');
    await queryDb('auth', 'INSERT INTO connections (grant_id, organisation_id, client_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)', [grantId, orgA.id, client.clientId, user?.id, new Date()]);

    const sb = await signIn(adminB);
    const sa = await signIn(adminA);
    try {
      expect(await sb.page.getByText('Not connected.').count()).toBe(1);
      const refused = await sb.page.request.post(`${auth()}/admin/connections/disconnect`, { form: { csrf: await csrfOf(sb.page), grantId }, maxRedirects: 0 });
      expect(refused.status()).toBe(404);

      const card = sa.page.locator('.card');
      expect(await card.textContent()).toContain(`Approved by ${adminA}`);
      await sa.page.getByRole('button', { name: 'Disconnect Okta' }).click();
      await sa.page.getByRole('status').filter({ hasText: 'The connection was removed.' }).waitFor();
      expect(await sa.page.getByText('Not connected.').count()).toBe(1);
      const [row] = await queryDb<{ replaced_at: Date | null }>('auth', 'SELECT replaced_at FROM connections WHERE grant_id = ?', [grantId]);
      expect(row?.replaced_at).not.toBeNull();
    } finally {
      await Promise.all([sa.context.close(), sb.context.close()]);
    }
  });

  it.each([
    ['without the form token', (_csrf: string) => ({ label: 'forged' })],
    ['with another string as the form token', (csrf: string) => ({ label: 'forged', csrf: `${csrf.slice(1)}x` })],
  ])('CSRF: a signed-in POST %s is refused and creates nothing', async (_name, form) => {
    const { context, page } = await signIn(adminB);
    try {
      const before = await page.locator('tbody tr').count();
      const res = await page.request.post(`${auth()}/admin/tokens`, { form: form(await csrfOf(page)), maxRedirects: 0 });
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('invalid_csrf_token');
      await page.reload();
      expect(await page.locator('tbody tr').count()).toBe(before);
      // The same request with the page's token goes through, so the refusal above was the token's doing.
      const ok = await page.request.post(`${auth()}/admin/tokens`, { form: { label: 'genuine', csrf: await csrfOf(page) }, maxRedirects: 0 });
      expect(ok.status()).toBe(200);
    } finally {
      await context.close();
    }
  });

  it('sign-out ends the session: the console sends the browser back to sign-in', async () => {
    const { context, page } = await signIn(adminA);
    try {
      const cookie = (await context.cookies()).find((c) => c.name === 'tzc_admin');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin' });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/admin\/sign-in$/);
      await page.goto(`${auth()}/admin`);
      expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    } finally {
      await context.close();
    }
  });
});

describe('SCIM bearer tokens from the CLI (issue 5 item 5)', () => {
  it('rotation: two live at once, list shows both, revoking the old one stops it at the gateway and keeps the new one', async () => {
    const oldToken = (await cli(['token:create', '--org', orgB.slug, '--label', 'Entra ID'])).trim();
    const newToken = (await cli(['token:create', '--org', orgB.slug, '--label', 'Entra ID (rotated)'])).trim();
    expect((await listUsers(oldToken)).status).toBe(200);
    expect((await listUsers(newToken)).status).toBe(200);
    const live = (await cli(['token:list', '--org', orgB.slug])).trim().split('\n').map((l) => JSON.parse(l) as { id: string; label: string });
    const old = live.find((t) => t.label === 'Entra ID');
    expect(live.map((t) => t.label)).toEqual(expect.arrayContaining(['Entra ID', 'Entra ID (rotated)']));
    expect(JSON.stringify(live)).not.toContain(oldToken);
    // Another organisation cannot revoke it.
    await expect(cli(['token:revoke', '--org', orgA.slug, '--id', old!.id])).rejects.toThrow('no live token');
    await cli(['token:revoke', '--org', orgB.slug, '--id', old!.id]);
    await waitFor(async () => (await listUsers(oldToken)).status === 401, { what: 'the revoked token refused by the gateway' });
    expect((await listUsers(newToken)).status).toBe(200);
    expect((await cli(['token:list', '--org', orgB.slug])).trim()).not.toContain(old!.id);
    await expect(cli(['token:revoke', '--org', orgB.slug, '--id', old!.id])).rejects.toThrow('no live token');
  });
});
