import { createTenant, findOnTopic, queryDb, scim, type TestTenant } from '@taskize/testing';
import { TOPICS } from '@taskize/topics';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Okta's create request (shared/notes/idp-requests.md). */
const oktaUser = (userName: string) => ({
  schemas: [USER],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  displayName: 'Ada Lovelace',
  locale: 'en-GB',
  externalId: `00u${Date.now()}`,
  groups: [],
  password: 'S3cret!pass',
  active: true,
});

describe('POST/GET /Users through gateway → Kafka → directory → MySQL', () => {
  let acme: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    [acme, other] = await Promise.all([createTenant('acme'), createTenant('other')]);
  });

  it('creates a user: 201, stored row, event on the provisioning topic, readable right after', async () => {
    const userName = `ada.${Date.now()}@acme.example`;
    const created = await scim('POST', '/Users', { token: acme.token, body: oktaUser(userName), contentType: 'application/json' });

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const id = created.body['id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.get('location')).toBe(`${(created.body['meta'] as { location: string }).location}`);
    expect(created.headers.get('location')).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(created.body).toMatchObject({
      schemas: [USER],
      userName,
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      active: true,
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(created.body).not.toHaveProperty('password');
    expect(created.text).not.toContain('S3cret');

    const rows = await queryDb<{ user_name: string; tenant_id: string; resource: string }>('directory', 'SELECT user_name, tenant_id, resource FROM users WHERE id = ?', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_name: userName, tenant_id: acme.organisationId });
    expect(rows[0]!.resource).not.toContain('S3cret');

    const event = await findOnTopic(TOPICS.provisioning.name, (v, key) => {
      const e = v as { type?: string; payload?: { resourceId?: string } };
      return e.type === 'UserCreated' && e.payload?.resourceId === id ? { event: e, key } : undefined;
    });
    expect(event.key).toBe(acme.organisationId);
    expect(JSON.stringify(event.event)).not.toContain('S3cret');

    const read = await scim('GET', `/Users/${id}`, { token: acme.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe('W/"1"');
  });

  it('finds a user by userName, case-insensitively, with Okta\'s encoded lookup', async () => {
    const userName = `grace+${Date.now()}@acme.example`;
    const created = await scim('POST', '/Users', { token: acme.token, body: oktaUser(userName) });
    expect(created.status).toBe(201);

    const exact = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`, { token: acme.token });
    expect(exact.status).toBe(200);
    expect(exact.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect((exact.body['Resources'] as { id: string }[])[0]!.id).toBe(created.body['id']);

    // "+"-encoded spaces, upper-case operator and attribute, other letter case in the value.
    const plus = await scim('GET', `/Users?filter=USERNAME+EQ+%22${encodeURIComponent(userName.toUpperCase())}%22`, { token: acme.token });
    expect(plus.status).toBe(200);
    expect(plus.body['totalResults']).toBe(1);

    const none = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@acme.example"')}`, { token: acme.token });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });

  it('answers 409 uniqueness for the same userName in another letter case', async () => {
    const userName = `Linus.${Date.now()}@Acme.example`;
    expect((await scim('POST', '/Users', { token: acme.token, body: oktaUser(userName) })).status).toBe(201);
    const again = await scim('POST', '/Users', { token: acme.token, body: oktaUser(userName.toLowerCase()) });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
  });

  it('lets two organisations use the same userName without seeing each other', async () => {
    const userName = `shared.${Date.now()}@example.com`;
    const mine = await scim('POST', '/Users', { token: acme.token, body: oktaUser(userName) });
    const theirs = await scim('POST', '/Users', { token: other.token, body: oktaUser(userName) });
    expect([mine.status, theirs.status]).toEqual([201, 201]);

    expect((await scim('GET', `/Users/${mine.body['id']}`, { token: other.token })).status).toBe(404);
    const list = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { token: other.token });
    expect((list.body['Resources'] as { id: string }[]).map((r) => r.id)).toEqual([theirs.body['id']]);
    const all = await scim('GET', '/Users?count=1000', { token: other.token });
    expect((all.body['Resources'] as { id: string }[]).some((r) => r.id === mine.body['id'])).toBe(false);
  });

  it.each([
    ['an unknown UUID', '/Users/7d6f3f5e-8a53-4c1e-9b39-0d8f2c1e2a10'],
    ["Okta's non-UUID probe", '/Users/010101001010101011001010101011'],
  ])('answers 404 with a SCIM error for %s', async (_, path) => {
    const res = await scim('GET', path, { token: acme.token });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it.each([
    ['no Authorization header', undefined, undefined],
    ['an unknown token', 'tzc_not-a-real-token', 'error="invalid_token"'],
    ['a non-bearer scheme', 'Basic', undefined],
  ])('answers 401 for %s', async (_, token, challenge) => {
    const headers: Record<string, string> = token === 'Basic' ? { authorization: 'Basic dXNlcjpwYXNz' } : {};
    const res = await scim('GET', '/Users', { token: token === 'Basic' ? undefined : token, headers });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '401' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="Taskize Connect"/);
    if (challenge) expect(res.headers.get('www-authenticate')).toContain(challenge);
  });

  describe('bad input gets a 4xx SCIM error and stores nothing', () => {
    const cases: [string, Parameters<typeof scim>[2], number, string | undefined][] = [
      ['malformed JSON', { rawBody: '{"schemas": [', contentType: 'application/scim+json' }, 400, 'invalidSyntax'],
      ['a JSON array', { body: [1, 2] }, 400, 'invalidSyntax'],
      ['a body without schemas', { body: { userName: 'x@example.com' } }, 400, 'invalidValue'],
      ['a Group body', { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'x' } }, 400, 'invalidValue'],
      ['a missing userName', { body: { schemas: [USER], active: true } }, 400, 'invalidValue'],
      ['a number as userName', { body: { schemas: [USER], userName: 42 } }, 400, 'invalidValue'],
      ['"maybe" as active', { body: { schemas: [USER], userName: 'maybe@example.com', active: 'maybe' } }, 400, 'invalidValue'],
      ['an empty body', { rawBody: '', contentType: 'application/scim+json' }, 400, undefined],
      ['a text/plain body', { rawBody: 'userName=x', contentType: 'text/plain' }, 415, undefined],
      ['a body over the 1 MiB limit', { body: { schemas: [USER], userName: 'big@example.com', title: 'x'.repeat(2 * 1024 * 1024) } }, 413, undefined],
    ];

    it.each(cases)('%s', async (_, opts, status, scimType) => {
      const before = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM users WHERE tenant_id = ?', [acme.organisationId]);
      const res = await scim('POST', '/Users', { token: acme.token, ...opts });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status) });
      if (scimType) expect(res.body['scimType']).toBe(scimType);
      const after = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM users WHERE tenant_id = ?', [acme.organisationId]);
      expect(after[0]!.n).toBe(before[0]!.n);
    });

    it('answers 400 invalidFilter for a filter that does not parse', async () => {
      const res = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`, { token: acme.token });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
    });
  });

  it('accepts Entra\'s "True" string and explicit nulls', async () => {
    const userName = `entra.${Date.now()}@contoso.example`;
    const res = await scim('POST', '/Users', {
      token: acme.token,
      body: {
        schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'entra-1',
        userName,
        active: 'True',
        displayName: 'Entra User',
        meta: { resourceType: 'User' },
        name: { formatted: 'Entra User', familyName: 'User', givenName: 'Entra' },
        phoneNumbers: null,
        roles: [],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userName, active: true, externalId: 'entra-1' });
    expect(res.body).not.toHaveProperty('phoneNumbers');
  });
});
