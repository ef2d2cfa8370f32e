import { serviceEnv } from '@taskize/devstack';
import { infra, queryDb } from '@taskize/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ClientsStore } from '../src/clients/clients.store';
import { loadConfig, oauthSettings } from '../src/config';
import { dataSourceOptions } from '../src/data-source';
import { mysqlAdapter, type OidcAdapterClass, sha256 } from '../src/oidc/mysql.adapter';

// The adapter contract of oidc-provider 9, against the real test schema (migrated by the global setup).
const id = () => randomBytes(16).toString('base64url');

describe('MySQL adapter for oidc-provider', () => {
  let ds: DataSource;
  let now = new Date();
  let Adapter: OidcAdapterClass;

  beforeAll(async () => {
    const cfg = loadConfig(serviceEnv('auth', infra(), 'test'));
    ds = new DataSource({ ...dataSourceOptions(cfg), poolSize: 2 });
    await ds.initialize();
    Adapter = mysqlAdapter(ds, new ClientsStore(ds, oauthSettings(cfg).clientSecretKey), { now: () => now, refreshGraceSeconds: 60 });
  });
  afterAll(() => ds.destroy());
  beforeEach(() => {
    now = new Date();
  });

  it.each(['AuthorizationCode', 'Session', 'Interaction', 'Grant', 'AccessToken'])('%s: upsert then find returns the payload; the id is stored only hashed', async (model) => {
    const key = id();
    const payload = { kind: model, jti: key, uid: `u-${key}`, exp: Math.floor(now.getTime() / 1000) + 60 };
    await new Adapter(model).upsert(key, payload, 60);
    expect(await new Adapter(model).find(key)).toEqual(payload);
    const rows = await queryDb<{ id_hash: string }>('auth', 'SELECT id_hash FROM oidc_payloads WHERE model = ? AND id_hash = ?', [model, sha256(key)]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(await queryDb('auth', 'SELECT id_hash, grant_id_hash, uid_hash FROM oidc_payloads WHERE id_hash = ?', [sha256(key)]))).not.toContain(key);
  });

  it('upsert replaces the payload of the same id', async () => {
    const key = id();
    const a = new Adapter('Session');
    await a.upsert(key, { n: 1 }, 60);
    await a.upsert(key, { n: 2 }, 60);
    expect(await a.find(key)).toEqual({ n: 2 });
  });

  it('find, findByUid and findByUserCode ignore expired rows', async () => {
    const key = id();
    const a = new Adapter('DeviceCode');
    await a.upsert(key, { uid: `uid-${key}`, userCode: `UC-${key}` }, 1);
    expect(await a.findByUid(`uid-${key}`)).toMatchObject({ uid: `uid-${key}` });
    expect(await a.findByUserCode(`UC-${key}`)).toMatchObject({ userCode: `UC-${key}` });
    now = new Date(now.getTime() + 2_000);
    expect(await a.find(key)).toBeUndefined();
    expect(await a.findByUid(`uid-${key}`)).toBeUndefined();
    expect(await a.findByUserCode(`UC-${key}`)).toBeUndefined();
  });

  it.each([['a wrong uid', 'findByUid'], ['a wrong user code', 'findByUserCode']] as const)('finds nothing for %s', async (_what, method) => {
    expect(await new Adapter('Session')[method](id())).toBeUndefined();
  });

  it('consume marks an authorization code consumed (epoch seconds)', async () => {
    const key = id();
    const a = new Adapter('AuthorizationCode');
    await a.upsert(key, { grantId: id() }, 60);
    await a.consume(key);
    expect((await a.find(key))?.consumed).toBe(Math.floor(now.getTime() / 1000));
  });

  it('of two concurrent consumes of one code, one wins; the other gets invalid_grant and the grant is revoked', async () => {
    const [key, grantId, rt] = [id(), id(), id()];
    const a = new Adapter('AuthorizationCode');
    await a.upsert(key, { grantId }, 60);
    await new Adapter('RefreshToken').upsert(rt, { grantId }, 3600);
    const results = await Promise.allSettled([a.consume(key), a.consume(key)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const error = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Record<string, unknown>;
    expect(error).toMatchObject({ message: 'invalid_grant', expose: true, statusCode: 400 });
    expect(await new Adapter('RefreshToken').find(rt)).toBeUndefined();
    expect(await a.find(key)).toBeUndefined();
  });

  it('consume of a token that no longer exists is invalid_grant', async () => {
    await expect(new Adapter('AuthorizationCode').consume(id())).rejects.toMatchObject({ message: 'invalid_grant' });
  });

  it('a consumed refresh token looks unused once within the grace window, then consumed', async () => {
    const key = id();
    const a = new Adapter('RefreshToken');
    await a.upsert(key, { grantId: id() }, 3600);
    await a.consume(key);
    now = new Date(now.getTime() + 30_000);
    expect((await a.find(key))?.consumed).toBeUndefined();
    await a.consume(key); // the retry spends the grace
    expect((await a.find(key))?.consumed).toEqual(expect.any(Number));
    await expect(a.consume(key)).rejects.toMatchObject({ message: 'invalid_grant' }); // a racing third use
  });

  it('a consumed refresh token after the grace window is consumed (replay)', async () => {
    const key = id();
    const a = new Adapter('RefreshToken');
    await a.upsert(key, { grantId: id() }, 3600);
    await a.consume(key);
    now = new Date(now.getTime() + 61_000);
    expect((await a.find(key))?.consumed).toEqual(expect.any(Number));
  });

  it('a new refresh token removes the unconsumed ones of its grant and extends the grant', async () => {
    const grantId = id();
    const [lost, next] = [id(), id()];
    const grant = new Adapter('Grant');
    const exp = Math.floor(now.getTime() / 1000) + 100;
    await grant.upsert(grantId, { jti: grantId, exp }, 100);
    const rt = new Adapter('RefreshToken');
    await rt.upsert(lost, { grantId }, 3600);
    await rt.upsert(next, { grantId }, 7200);
    expect(await rt.find(lost)).toBeUndefined();
    expect(await rt.find(next)).toEqual({ grantId });
    expect((await grant.find(grantId))?.exp).toBe(Math.ceil((now.getTime() + 7200_000) / 1000));
  });

  it('revokeByGrantId removes every token and code of the grant, and only those', async () => {
    const [grantId, other] = [id(), id()];
    const keys = { at: id(), rt: id(), code: id(), keep: id() };
    await new Adapter('AccessToken').upsert(keys.at, { grantId }, 60);
    await new Adapter('RefreshToken').upsert(keys.rt, { grantId }, 60);
    await new Adapter('AuthorizationCode').upsert(keys.code, { grantId }, 60);
    await new Adapter('RefreshToken').upsert(keys.keep, { grantId: other }, 60);
    await new Adapter('AccessToken').revokeByGrantId(grantId);
    expect(await new Adapter('AccessToken').find(keys.at)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(keys.rt)).toBeUndefined();
    expect(await new Adapter('AuthorizationCode').find(keys.code)).toBeUndefined();
    expect(await new Adapter('RefreshToken').find(keys.keep)).toEqual({ grantId: other });
  });

  it('destroy removes one entry', async () => {
    const key = id();
    const a = new Adapter('Interaction');
    await a.upsert(key, { x: 1 }, 60);
    await a.destroy(key);
    expect(await a.find(key)).toBeUndefined();
  });

  it('Client reads registered clients and refuses writes (no dynamic registration)', async () => {
    expect(await new Adapter('Client').find('tzc-nonexistent')).toBeUndefined();
    await expect(new Adapter('Client').upsert('x', {}, 60)).rejects.toThrow('client:create');
  });
});
