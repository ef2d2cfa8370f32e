import { createTenant, queryDb, scim, type TestTenant } from '@taskize/testing';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
const uniq = (s: string) => `${s}.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@example.com`;

async function createUser(t: TestTenant, userName = uniq('u')): Promise<Record<string, unknown>> {
  const res = await scim('POST', '/Users', { token: t.token, body: { schemas: [USER], userName, name: { givenName: 'G', familyName: 'F' } } });
  expect(res.status).toBe(201);
  return res.body;
}

async function members(t: TestTenant, groupId: string): Promise<string[]> {
  const res = await scim('GET', `/Groups/${groupId}`, { token: t.token });
  expect(res.status).toBe(200);
  return ((res.body['members'] as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
}

describe('user lifecycle (Okta and Entra)', () => {
  let t: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    [t, other] = await Promise.all([createTenant('life'), createTenant('life-other')]);
  });

  it("Okta: PUT-everything profile update with id, meta and groups ignored", async () => {
    const user = await createUser(t);
    const put = await scim('PUT', `/Users/${user['id']}`, {
      token: t.token,
      body: { ...user, name: { givenName: 'Grace', familyName: 'Hopper' }, title: 'Rear Admiral', groups: [], id: 'ignored', meta: { version: 'W/"99"' } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: user['id'], name: { givenName: 'Grace', familyName: 'Hopper' }, title: 'Rear Admiral', meta: { version: 'W/"2"' } });
    expect(put.headers.get('etag')).toBe('W/"2"');
  });

  it('Okta: deactivate with a no-path PATCH keeps the user visible, and reactivation works', async () => {
    const user = await createUser(t);
    const off = await scim('PATCH', `/Users/${user['id']}`, { token: t.token, body: patch({ op: 'replace', value: { active: false } }) });
    expect(off.status).toBe(200);
    expect(off.body['active']).toBe(false);
    const listed = await scim('GET', `/Users?filter=${encodeURIComponent('active eq false')}&count=1000`, { token: t.token });
    expect((listed.body['Resources'] as { id: string }[]).map((u) => u.id)).toContain(user['id']);
    const on = await scim('PATCH', `/Users/${user['id']}`, { token: t.token, body: patch({ op: 'replace', value: { active: true } }) });
    expect(on.body['active']).toBe(true);
  });

  it('Entra: capitalised ops, "False" strings, a work email that does not exist yet, a bare manager id', async () => {
    const user = await createUser(t);
    const res = await scim('PATCH', `/Users/${user['id']}`, {
      token: t.token,
      contentType: 'application/json',
      body: patch(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'work@contoso.example' },
        { op: 'Replace', path: 'name.familyName', value: 'Renamed' },
        { op: 'Add', path: `${ENT}:manager`, value: 'boss-id-123' },
        { op: 'Add', path: `${ENT}:employeeNumber`, value: '701' },
      ),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: false,
      emails: [{ type: 'work', value: 'work@contoso.example' }],
      name: { givenName: 'G', familyName: 'Renamed' },
      [ENT]: { manager: { value: 'boss-id-123' }, employeeNumber: '701' },
    });
  });

  it('Entra: DELETE answers 204, then 404; a second DELETE is 404', async () => {
    const user = await createUser(t);
    expect((await scim('DELETE', `/Users/${user['id']}`, { token: t.token })).status).toBe(204);
    expect((await scim('GET', `/Users/${user['id']}`, { token: t.token })).status).toBe(404);
    const again = await scim('DELETE', `/Users/${user['id']}`, { token: t.token });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('versions: If-Match mismatch is 412 and changes nothing; If-None-Match answers 304', async () => {
    const user = await createUser(t);
    const stale = await scim('PATCH', `/Users/${user['id']}`, { token: t.token, headers: { 'if-match': 'W/"7"' }, body: patch({ op: 'replace', path: 'title', value: 'x' }) });
    expect(stale.status).toBe(412);
    const fresh = await scim('PATCH', `/Users/${user['id']}`, { token: t.token, headers: { 'if-match': 'W/"1"' }, body: patch({ op: 'replace', path: 'title', value: 'y' }) });
    expect(fresh.status).toBe(200);
    expect(fresh.body['title']).toBe('y');
    const cached = await scim('GET', `/Users/${user['id']}`, { token: t.token, headers: { 'if-none-match': 'W/"2"' } });
    expect(cached.status).toBe(304);
  });

  it('a rename onto a taken userName is 409 and the user keeps its name', async () => {
    const a = await createUser(t);
    const b = await createUser(t);
    const res = await scim('PATCH', `/Users/${b['id']}`, { token: t.token, body: patch({ op: 'replace', path: 'userName', value: String(a['userName']).toUpperCase() }) });
    expect(res.status).toBe(409);
    expect(res.body['scimType']).toBe('uniqueness');
    expect((await scim('GET', `/Users/${b['id']}`, { token: t.token })).body['userName']).toBe(b['userName']);
  });

  it.each([
    ['an unknown op', patch({ op: 'merge', path: 'title', value: 'x' }), 'invalidSyntax'],
    ['a bad path', patch({ op: 'replace', path: 'emails[type eq', value: 'x' }), 'invalidPath'],
    ['a read-only attribute', patch({ op: 'replace', path: 'id', value: 'x' }), 'mutability'],
    ['no PatchOp schema', { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, undefined],
  ])('PATCH with %s is a 400 and nothing is applied', async (_, body, scimType) => {
    const user = await createUser(t);
    const res = await scim('PATCH', `/Users/${user['id']}`, { token: t.token, body });
    expect(res.status).toBe(400);
    if (scimType) expect(res.body['scimType']).toBe(scimType);
    expect((await scim('GET', `/Users/${user['id']}`, { token: t.token })).body['meta']).toMatchObject({ version: 'W/"1"' });
  });

  it('another organisation can neither read nor change a user', async () => {
    const user = await createUser(t);
    const path = `/Users/${user['id']}`;
    expect((await scim('GET', path, { token: other.token })).status).toBe(404);
    expect((await scim('PUT', path, { token: other.token, body: { schemas: [USER], userName: 'hijack@example.com' } })).status).toBe(404);
    expect((await scim('PATCH', path, { token: other.token, body: patch({ op: 'replace', value: { active: false } }) })).status).toBe(404);
    expect((await scim('DELETE', path, { token: other.token })).status).toBe(404);
    expect((await scim('GET', path, { token: t.token })).body).toMatchObject({ active: true, meta: { version: 'W/"1"' } });
  });

  it('projection: attributes and excludedAttributes', async () => {
    const user = await createUser(t);
    const only = await scim('GET', `/Users/${user['id']}?attributes=userName`, { token: t.token });
    expect(Object.keys(only.body).sort()).toEqual(['id', 'schemas', 'userName']);
    const without = await scim('GET', `/Users/${user['id']}?excludedAttributes=name,meta`, { token: t.token });
    expect(without.body).not.toHaveProperty('name');
    expect(without.body).toHaveProperty('userName');
  });
});

describe('group lifecycle (Okta Push Groups and Entra)', () => {
  let t: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    [t, other] = await Promise.all([createTenant('groups'), createTenant('groups-other')]);
  });

  it('create with members, Okta rename keeps members, add/remove deltas, Entra remove-by-value, delete', async () => {
    const [a, b, c] = await Promise.all([createUser(t), createUser(t), createUser(t)]);
    const created = await scim('POST', '/Groups', {
      token: t.token,
      body: { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName: 'Engineering', meta: { resourceType: 'Group' }, members: [{ value: a['id'] }, { value: a['id'] }] },
    });
    expect(created.status).toBe(201);
    const id = created.body['id'] as string;
    expect(created.headers.get('location')).toMatch(new RegExp(`/Groups/${id}$`));
    expect(await members(t, id)).toEqual([a['id']]);

    // Okta's rename carries the read-only id and must not touch members.
    const rename = await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'replace', value: { id, displayName: 'Engineering EMEA' } }) });
    expect(rename.status).toBe(204);
    const renamed = await scim('GET', `/Groups/${id}`, { token: t.token });
    expect(renamed.body).toMatchObject({ displayName: 'Engineering EMEA', members: [{ value: a['id'] }] });

    expect((await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'add', path: 'members', value: [{ value: b['id'], display: 'B' }, { value: c['id'] }] }) })).status).toBe(204);
    expect(await members(t, id)).toEqual([a['id'], b['id'], c['id']].sort());

    // Okta removes by filter; Entra by value — only the named members go.
    expect((await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'remove', path: `members[value eq "${a['id']}"]` }) })).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'Remove', path: 'members', value: [{ value: b['id'] }] }) })).status).toBe(204);
    expect(await members(t, id)).toEqual([c['id']]);

    // Re-adding a member and removing an absent one are no-ops, not errors, and keep the version.
    const before = (await scim('GET', `/Groups/${id}`, { token: t.token })).body['meta'] as { version: string };
    expect((await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'add', path: 'members', value: [{ value: c['id'] }] }) })).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'remove', path: `members[value eq "${a['id']}"]` }) })).status).toBe(204);
    expect(((await scim('GET', `/Groups/${id}`, { token: t.token })).body['meta'] as { version: string }).version).toBe(before.version);

    const lookup = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "engineering emea"')}&excludedAttributes=members`, { token: t.token });
    expect(lookup.body['totalResults']).toBe(1);
    expect((lookup.body['Resources'] as Record<string, unknown>[])[0]).not.toHaveProperty('members');

    expect((await scim('DELETE', `/Groups/${id}`, { token: t.token })).status).toBe(204);
    expect((await scim('GET', `/Groups/${id}`, { token: t.token })).status).toBe(404);
    const rows = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM group_members WHERE group_id = ?', [id]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it("refuses another organisation's user as a member with invalidValue and changes nothing", async () => {
    const mine = await createUser(t);
    const theirs = await createUser(other);
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Mixed', members: [{ value: mine['id'] }] } });
    const id = group.body['id'] as string;
    const res = await scim('PATCH', `/Groups/${id}`, { token: t.token, body: patch({ op: 'add', path: 'members', value: [{ value: theirs['id'] }] }) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    expect(await members(t, id)).toEqual([mine['id']]);
    const create = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Leaky', members: [{ value: theirs['id'] }] } });
    expect(create.status).toBe(400);
    const leaky = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Leaky"')}`, { token: t.token });
    expect(leaky.body['totalResults']).toBe(0);
  });

  it('another organisation can neither see nor change a group', async () => {
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Private' } });
    const path = `/Groups/${group.body['id']}`;
    expect((await scim('GET', path, { token: other.token })).status).toBe(404);
    expect((await scim('PATCH', path, { token: other.token, body: patch({ op: 'replace', value: { displayName: 'Owned' } }) })).status).toBe(404);
    expect((await scim('PUT', path, { token: other.token, body: { schemas: [GROUP], displayName: 'Owned' } })).status).toBe(404);
    expect((await scim('DELETE', path, { token: other.token })).status).toBe(404);
    const list = await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Private"')}`, { token: other.token });
    expect(list.body['totalResults']).toBe(0);
  });

  it('deleting a user removes it from its groups', async () => {
    const user = await createUser(t);
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Leavers', members: [{ value: user['id'] }] } });
    expect((await scim('DELETE', `/Users/${user['id']}`, { token: t.token })).status).toBe(204);
    expect(await members(t, group.body['id'] as string)).toEqual([]);
  });

  it('concurrent PATCHes to one group never lose an update (serialised by the tenant\'s event order)', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createUser(t)));
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Crowd' } });
    const gid = group.body['id'] as string;
    const results = await Promise.all(
      users.map((u, i) =>
        scim('PATCH', `/Groups/${gid}`, {
          token: t.token,
          body: patch(i % 2 ? { op: 'add', path: 'members', value: [{ value: u['id'] }] } : { op: 'Add', path: 'members', value: [{ $ref: null, value: u['id'] }] }),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(users.map(() => 204));
    expect(await members(t, gid)).toEqual(users.map((u) => u['id'] as string).sort());
    expect(((await scim('GET', `/Groups/${gid}`, { token: t.token })).body['meta'] as { version: string }).version).toBe('W/"21"');
  });

  it('a PATCH with more than 1,000 operations is refused with tooMany', async () => {
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Big batch' } });
    const ops = Array.from({ length: 1_001 }, () => ({ op: 'replace', path: 'displayName', value: 'x' }));
    const res = await scim('PATCH', `/Groups/${group.body['id']}`, { token: t.token, body: patch(...ops) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'tooMany' });
  });

  it('PUT replaces name and the whole member list', async () => {
    const [a, b] = await Promise.all([createUser(t), createUser(t)]);
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Before', members: [{ value: a['id'] }] } });
    const put = await scim('PUT', `/Groups/${group.body['id']}`, { token: t.token, body: { schemas: [GROUP], displayName: 'After', members: [{ value: b['id'] }] } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'After', meta: { version: 'W/"2"' } });
    expect(await members(t, group.body['id'] as string)).toEqual([b['id']]);
  });
});
