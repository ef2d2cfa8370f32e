import { createTenant, queryDb, scim, type TestTenant } from '@taskize/testing';
import { randomUUID } from 'node:crypto';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('listing: paging, sorting, email filters, tooMany', () => {
  let t: TestTenant;
  const names: string[] = [];

  beforeAll(async () => {
    t = await createTenant('list');
    for (let i = 0; i < 23; i++) {
      const userName = `p${String(i).padStart(2, '0')}.${Date.now()}@list.example`;
      const res = await scim('POST', '/Users', {
        token: t.token,
        body: { schemas: [USER], userName, displayName: `Person ${22 - i}`, emails: [{ value: `Work.${i}@Corp.example`, type: 'work', primary: true }] },
      });
      expect(res.status).toBe(201);
      names.push(userName);
    }
  });

  it('pages are stable, disjoint and complete, with integer counts (Okta import with count=5)', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= 30; start += 5) {
      const page = await scim('GET', `/Users?startIndex=${start}&count=5`, { token: t.token });
      expect(page.status).toBe(200);
      expect(page.body['totalResults']).toBe(23);
      expect(page.body['startIndex']).toBe(start);
      const ids = (page.body['Resources'] as { id: string }[]).map((r) => r.id);
      expect(page.body['itemsPerPage']).toBe(ids.length);
      seen.push(...ids);
    }
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    // The same walk again (now served by keyset continuations) gives the same order.
    const again: string[] = [];
    for (let start = 1; start <= 30; start += 5) {
      again.push(...((await scim('GET', `/Users?startIndex=${start}&count=5`, { token: t.token })).body['Resources'] as { id: string }[]).map((r) => r.id));
    }
    expect(again).toEqual(seen);
  });

  it('count=0 returns only the total', async () => {
    const res = await scim('GET', '/Users?count=0', { token: t.token });
    expect(res.body).toMatchObject({ totalResults: 23, itemsPerPage: 0, Resources: [] });
  });

  it('sorts by userName descending and by displayName', async () => {
    const desc = await scim('GET', '/Users?sortBy=userName&sortOrder=descending&count=100', { token: t.token });
    expect((desc.body['Resources'] as { userName: string }[]).map((r) => r.userName)).toEqual([...names].sort().reverse());
    const byDisplay = await scim('GET', '/Users?sortBy=displayName&count=3', { token: t.token });
    expect((byDisplay.body['Resources'] as { displayName: string }[]).map((r) => r.displayName)).toEqual(['Person 0', 'Person 1', 'Person 10']);
    const bad = await scim('GET', '/Users?sortBy=nickName', { token: t.token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
  });

  it.each([
    ['emails.value eq', 'emails.value eq "work.7@corp.example"'],
    ["Entra's work email lookup", 'emails[type eq "work"].value eq "WORK.7@CORP.EXAMPLE"'],
    ['a value path on the whole element', 'emails[type eq "work" and value eq "work.7@corp.example"]'],
  ])('finds a user by %s, case-insensitively', async (_, filter) => {
    const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter)}`, { token: t.token });
    expect(res.status).toBe(200);
    expect((res.body['Resources'] as { userName: string }[]).map((r) => r.userName)).toEqual([names[7]]);
  });

  it('keeps email lookups in step with PATCH and DELETE', async () => {
    const id = ((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${names[3]}"`)}`, { token: t.token })).body['Resources'] as { id: string }[])[0]!.id;
    await scim('PATCH', `/Users/${id}`, {
      token: t.token,
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'moved@corp.example' }] },
    });
    const find = (v: string) => scim('GET', `/Users?filter=${encodeURIComponent(`emails.value eq "${v}"`)}`, { token: t.token });
    expect((await find('moved@corp.example')).body['totalResults']).toBe(1);
    expect((await find('work.3@corp.example')).body['totalResults']).toBe(0);
    await scim('DELETE', `/Users/${id}`, { token: t.token });
    expect((await find('moved@corp.example')).body['totalResults']).toBe(0);
    expect((await scim('GET', '/Users?count=0', { token: t.token })).body['totalResults']).toBe(22);
  });

  it('refuses a filter that would scan a large tenant with tooMany, and answers selective ones', async () => {
    const big = await createTenant('big');
    const rows: unknown[] = [];
    const now = new Date();
    for (let i = 0; i < 10_001; i++) {
      const userName = `bulk${i}@big.example`;
      rows.push([big.organisationId, randomUUID(), userName, userName, null, null, 1, JSON.stringify({ userName, active: true }), 1, now, now]);
    }
    for (let i = 0; i < rows.length; i += 2_000) {
      await queryDb('directory', 'INSERT INTO users (tenant_id, id, user_name, user_name_lower, external_id, display_name_lower, active, resource, version, created_at, last_modified) VALUES ?', [
        rows.slice(i, i + 2_000),
      ]);
    }
    await queryDb('directory', "INSERT INTO tenant_counters (tenant_id, resource_type, total) VALUES (?, 'User', ?)", [big.organisationId, rows.length]);

    const scan = await scim('GET', `/Users?filter=${encodeURIComponent('userName co "bulk"')}`, { token: big.token });
    expect(scan.status).toBe(400);
    expect(scan.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'tooMany' });
    const exact = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bulk9999@big.example"')}`, { token: big.token });
    expect(exact.body['totalResults']).toBe(1);
    const all = await scim('GET', '/Users?count=0', { token: big.token });
    expect(all.body['totalResults']).toBe(10_001);
    // The same scan on the small tenant is answered.
    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName co "list.example"')}`, { token: t.token })).status).toBe(200);
  });
});
