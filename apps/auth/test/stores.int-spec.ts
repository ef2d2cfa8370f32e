import { serviceEnv } from '@taskize/devstack';
import { infra, uniqueSlug } from '@taskize/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountsStore } from '../src/accounts/accounts.store';
import { ClientsStore } from '../src/clients/clients.store';
import { loadConfig } from '../src/config';
import { ConnectionsStore } from '../src/connections/connections.store';
import { dataSourceOptions } from '../src/data-source';
import { ThrottleStore } from '../src/interaction/throttle.store';
import { purgeExpired } from '../src/oidc/expired-purge';
import { mysqlAdapter, sha256 } from '../src/oidc/mysql.adapter';
import { OrganisationError, OrganisationsStore } from '../src/organisations/organisations.store';

// The auth stores against the real test schema (migrated by the global setup).
describe('auth stores on MariaDB', () => {
  let ds: DataSource;
  const email = () => `${uniqueSlug('s')}@example.com`;
  const ip = () => `198.51.100.${randomBytes(1)[0]}-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ds = new DataSource({ ...dataSourceOptions(loadConfig(serviceEnv('auth', infra(), 'test'))), poolSize: 2 });
    await ds.initialize();
  });
  afterAll(() => ds.destroy());

  const org = (plan = 'business') => new OrganisationsStore(ds).create({ slug: uniqueSlug('s'), name: 'Stores', plan });

  describe('ThrottleStore', () => {
    it('blocks an account after 5 failures in the window, whichever IP they came from, and frees it after', async () => {
      let now = new Date();
      const store = new ThrottleStore(ds, { perAccount: 5, perIp: 50, windowSeconds: 900 }, () => now);
      const who = email();
      for (let i = 0; i < 4; i++) await store.recordFailure(who, ip());
      expect(await store.blocked(who, ip())).toBe(false);
      await store.recordFailure(who, ip());
      expect(await store.blocked(who, ip())).toBe(true);
      now = new Date(now.getTime() + 901_000);
      expect(await store.blocked(who, ip())).toBe(false);
      await store.recordFailure(who, ip()); // a new window starts at 1
      expect(await store.blocked(who, ip())).toBe(false);
    });

    it('blocks an IP after its limit across many accounts (credential stuffing), not other IPs', async () => {
      const store = new ThrottleStore(ds, { perAccount: 5, perIp: 8, windowSeconds: 900 });
      const attacker = ip();
      for (let i = 0; i < 8; i++) await store.recordFailure(email(), attacker);
      expect(await store.blocked(email(), attacker)).toBe(true);
      expect(await store.blocked(email(), ip())).toBe(false);
    });

    it('clearAccount forgets an account’s failures after a successful sign-in', async () => {
      const store = new ThrottleStore(ds, { perAccount: 2, perIp: 50, windowSeconds: 900 });
      const who = email();
      await store.recordFailure(who, ip());
      await store.recordFailure(who, ip());
      expect(await store.blocked(who, ip())).toBe(true);
      await store.clearAccount(who);
      expect(await store.blocked(who, ip())).toBe(false);
    });
  });

  describe('AccountsStore', () => {
    it('one person joins several organisations with one account, email case-insensitively', async () => {
      const [a, b] = [await org(), await org('enterprise')];
      const accounts = new AccountsStore(ds);
      const address = email();
      const first = await accounts.addMember({ organisationId: a.id, email: address.toUpperCase(), password: 'a long enough password', role: 'admin' });
      const second = await accounts.addMember({ organisationId: b.id, email: address, password: 'ignored for an existing account', role: 'member' });
      expect(second).toEqual({ userId: first.userId, created: false });
      expect((await accounts.memberships(first.userId)).map((m) => [m.organisationId, m.role]).sort()).toEqual([[a.id, 'admin'], [b.id, 'member']].sort());
      expect(await accounts.activeAdmin(a.id, first.userId)).toMatchObject({ email: address, organisation: { organisationId: a.id } });
      expect(await accounts.activeAdmin(b.id, first.userId)).toBeUndefined();
    });

    it.each([
      ['a second membership in the same organisation', 'admin', 'a long enough password', 'already a member'],
      ['a short password for a new account', 'admin', 'short', 'password must be'],
      ['an unknown role', 'owner', 'a long enough password', 'role must be'],
    ])('refuses %s', async (_what, role, password, problem) => {
      const o = await org();
      const accounts = new AccountsStore(ds);
      const address = email();
      if (problem === 'already a member') await accounts.addMember({ organisationId: o.id, email: address, password, role });
      const attempt = accounts.addMember({ organisationId: o.id, email: problem === 'already a member' ? address : email(), password, role });
      await expect(attempt).rejects.toBeInstanceOf(OrganisationError);
      await expect(attempt).rejects.toThrow(problem);
    });
  });

  it('ConnectionsStore.replace keeps exactly one current connection per organisation and client', async () => {
    const o = await org();
    const { userId } = await new AccountsStore(ds).addMember({ organisationId: o.id, email: email(), password: 'a long enough password', role: 'admin' });
    const client = await new ClientsStore(ds, 'k'.repeat(32)).create({ name: 'Okta', redirectUris: ['https://system-admin.okta.com/admin/app/cpc/s/oauth/callback'] });
    const connections = new ConnectionsStore(ds);
    const g = () => randomBytes(16).toString('base64url');
    const [g1, g2] = [g(), g()];
    expect(await connections.replace({ grantId: g1, organisationId: o.id, clientId: client.clientId, userId })).toEqual([]);
    expect(await connections.replace({ grantId: g2, organisationId: o.id, clientId: client.clientId, userId })).toEqual([g1]);
    const current = await ds.query('SELECT grant_id FROM connections WHERE organisation_id = ? AND replaced_at IS NULL', [o.id]);
    expect(current).toEqual([{ grant_id: g2 }]);
  });

  it('purgeExpired deletes expired oidc rows and stale throttle counters, and nothing live', async () => {
    const Adapter = mysqlAdapter(ds, new ClientsStore(ds, 'k'.repeat(32)));
    const [dead, live] = [randomBytes(16).toString('base64url'), randomBytes(16).toString('base64url')];
    await new Adapter('Session').upsert(dead, { n: 1 }, 1);
    await new Adapter('Session').upsert(live, { n: 2 }, 3600);
    const stale = email();
    await new ThrottleStore(ds, undefined, () => new Date(Date.now() - 3600_000)).recordFailure(stale, ip());
    await purgeExpired(ds, new Date(Date.now() + 5_000));
    const left = (await ds.query('SELECT id_hash FROM oidc_payloads WHERE id_hash IN (?)', [[sha256(dead), sha256(live)]])) as { id_hash: string }[];
    expect(left.map((r) => r.id_hash)).toEqual([sha256(live)]);
    expect(await new ThrottleStore(ds, { perAccount: 1, perIp: 1_000_000, windowSeconds: 7200 }).blocked(stale, ip())).toBe(false);
  });
});
