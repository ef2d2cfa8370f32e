import { readState, scim } from '@taskize/testing';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SCIM_JSON = 'application/scim+json; charset=utf-8';

interface Attribute {
  name: string;
  [characteristic: string]: unknown;
}
interface SchemaResource {
  id: string;
  attributes: Attribute[];
  meta: { resourceType: string; location: string };
}

/** The public base URL the test stack gives the gateway (PUBLIC_BASE_URL), as seen in every meta.location. */
const base = () => `${readState().gatewayUrl}/scim/v2`;

const attribute = (schema: SchemaResource, name: string) => schema.attributes.find((a) => a.name === name);

// RFC 7644 §4: discovery holds no tenant data, so it is served without a token; Okta sends one anyway.
describe('SCIM discovery endpoints (RFC 7644 §4, RFC 7643 §5–7)', () => {
  it.each([
    ['no Authorization header', {}],
    ['an Authorization header that is no valid token (as Okta may send)', { headers: { authorization: 'Bearer tzc_not-a-real-token' } }],
  ])('GET /ServiceProviderConfig with %s → 200 with the truthful feature flags', async (_, opts) => {
    const res = await scim('GET', '/ServiceProviderConfig', opts);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SCIM_JSON);
    expect(res.body).toMatchObject({
      schemas: [SPC],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', specUri: 'https://www.rfc-editor.org/info/rfc6750', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${base()}/ServiceProviderConfig` },
    });
  });

  // Expected bodies are built per test: the stack's base URL is only known once the harness has started it.
  const getCases: [path: string, expected: (b: string) => Record<string, unknown>][] = [
    ['/ResourceTypes', () => ({ schemas: [LIST], totalResults: 2, startIndex: 1, itemsPerPage: 2 })],
    [
      '/ResourceTypes/User',
      (b: string) => ({
        schemas: [RESOURCE_TYPE],
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        schema: USER,
        schemaExtensions: [{ schema: ENTERPRISE, required: false }],
        meta: { resourceType: 'ResourceType', location: `${b}/ResourceTypes/User` },
      }),
    ],
    [
      '/ResourceTypes/Group',
      (b: string) => ({ schemas: [RESOURCE_TYPE], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP, meta: { resourceType: 'ResourceType', location: `${b}/ResourceTypes/Group` } }),
    ],
    ['/Schemas', () => ({ schemas: [LIST], totalResults: 3, startIndex: 1, itemsPerPage: 3 })],
    ...[USER, ENTERPRISE, GROUP].map(
      (urn): [string, (b: string) => Record<string, unknown>] => [`/Schemas/${urn}`, (b) => ({ schemas: [SCHEMA], id: urn, meta: { resourceType: 'Schema', location: `${b}/Schemas/${urn}` } })],
    ),
  ];
  it.each(getCases)('GET %s → 200 SCIM JSON', async (path, expected) => {
    const res = await scim('GET', path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SCIM_JSON);
    expect(res.body).toMatchObject(expected(base()));
  });

  it('lists the User and Group resource types, each as served on its own', async () => {
    const list = await scim('GET', '/ResourceTypes');
    const resources = list.body['Resources'] as { name: string }[];
    expect(resources.map((r) => r.name)).toEqual(['User', 'Group']);
    for (const r of resources) expect((await scim('GET', `/ResourceTypes/${r.name}`)).body).toEqual(r);
  });

  it('lists the three schemas, each as served on its own, with a Schema meta location', async () => {
    const list = await scim('GET', '/Schemas');
    const resources = list.body['Resources'] as SchemaResource[];
    expect(resources.map((s) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
    for (const s of resources) {
      expect(s.meta).toEqual({ resourceType: 'Schema', location: `${base()}/Schemas/${s.id}` });
      expect((await scim('GET', `/Schemas/${s.id}`)).body).toEqual(s);
    }
  });

  it.each([
    ['userName', { type: 'string', required: true, caseExact: false, uniqueness: 'server' }],
    ['id', { caseExact: true, mutability: 'readOnly', returned: 'always' }],
    ['password', { mutability: 'writeOnly', returned: 'never' }],
  ])('the User schema declares %s with its RFC 7643 characteristics', async (name, expected) => {
    for (const path of ['/Schemas', `/Schemas/${USER}`]) {
      const res = await scim('GET', path);
      const user = path === '/Schemas' ? (res.body['Resources'] as SchemaResource[]).find((s) => s.id === USER)! : (res.body as unknown as SchemaResource);
      expect(attribute(user, name)).toMatchObject(expected);
    }
  });

  it('gives every attribute of every schema all the RFC 7643 §7 characteristics', async () => {
    const resources = (await scim('GET', '/Schemas')).body['Resources'] as SchemaResource[];
    for (const schema of resources) {
      expect(schema.attributes.length).toBeGreaterThan(0);
      for (const a of schema.attributes) {
        expect(a).toEqual(expect.objectContaining({
          type: expect.any(String),
          multiValued: expect.any(Boolean),
          required: expect.any(Boolean),
          caseExact: expect.any(Boolean),
          mutability: expect.stringMatching(/^(readOnly|readWrite|immutable|writeOnly)$/),
          returned: expect.stringMatching(/^(always|never|default|request)$/),
          uniqueness: expect.stringMatching(/^(none|server|global)$/),
        }));
      }
    }
  });

  it.each([
    ['an unknown schema URN', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Widget'],
    ['an unknown resource type', '/ResourceTypes/Widget'],
  ])('answers 404 with a SCIM error for %s', async (_, path) => {
    const res = await scim('GET', path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(SCIM_JSON);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  // Okta's spec test POSTs to each discovery endpoint and expects 405 with an error body (shared/notes/idp-requests.md).
  const methods = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
  const paths = ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas'];
  it.each(methods.flatMap((method) => paths.map((path) => [method, path] as const)))('%s %s → 405 with a SCIM error body', async (method, path) => {
    const res = await scim(method, path, {
      headers: { authorization: 'Bearer tzc_not-a-real-token' },
      // Okta sends its POSTs as plain application/json.
      ...(method === 'DELETE' ? {} : { body: { schemas: [USER], userName: 'probe@example.com' }, contentType: 'application/json' }),
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toBe(SCIM_JSON);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '405' });
  });

  it.each(['/ResourceTypes/User', `/Schemas/${USER}`])('answers 405 on the sub-path %s too', async (path) => {
    const res = await scim('DELETE', path);
    expect(res.status).toBe(405);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '405' });
  });
});
