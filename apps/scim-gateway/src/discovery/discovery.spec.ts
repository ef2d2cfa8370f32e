import {
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_LIST_RESPONSE,
  SCHEMA_RESOURCE_TYPE,
  SCHEMA_SCHEMA,
  SCHEMA_SERVICE_PROVIDER_CONFIG,
  SCHEMA_USER,
} from '@taskize/scim-core';
import { type AttributeDocument, type ResourceTypeDocument, type SchemaDocument, buildDiscoveryDocuments } from './discovery';

const BASE = 'https://scim.example.com/scim/v2';
const docs = buildDiscoveryDocuments(BASE);

function attribute(schema: SchemaDocument | undefined, name: string): AttributeDocument {
  const found = schema?.attributes.find((a) => a.name === name);
  if (!found) throw new Error(`no attribute ${name} in ${schema?.id}`);
  return found;
}

/** Walks every attribute and sub-attribute so characteristics can be checked everywhere at once. */
function allAttributes(attributes: AttributeDocument[]): AttributeDocument[] {
  return attributes.flatMap((a) => [a, ...allAttributes(a.subAttributes ?? [])]);
}

describe('ServiceProviderConfig (RFC 7643 §5)', () => {
  const spc = docs.serviceProviderConfig;

  it('carries the ServiceProviderConfig schema and a meta location, and no id', () => {
    expect(spc.schemas).toEqual([SCHEMA_SERVICE_PROVIDER_CONFIG]);
    expect(spc.meta).toEqual({ resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` });
    expect(spc).not.toHaveProperty('id');
    expect(spc).not.toHaveProperty('documentationUri');
  });

  it.each([
    ['patch', { supported: true }],
    ['bulk', { supported: false, maxOperations: 0, maxPayloadSize: 0 }],
    ['filter', { supported: true, maxResults: 1000 }],
    ['changePassword', { supported: false }],
    ['sort', { supported: true }],
    ['etag', { supported: true }],
  ] as const)('declares %s as %j', (feature, expected) => {
    expect(spc[feature]).toEqual(expected);
  });

  it('declares OAuth bearer tokens (RFC 6750) as the one, primary authentication scheme', () => {
    expect(spc.authenticationSchemes).toEqual([
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with an OAuth 2.0 bearer token (RFC 6750)',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ]);
  });

  it('includes documentationUri only when given', () => {
    const withDocs = buildDiscoveryDocuments(BASE, { documentationUri: 'https://docs.example.com/scim' });
    expect(withDocs.serviceProviderConfig.documentationUri).toBe('https://docs.example.com/scim');
  });
});

describe('ResourceTypes (RFC 7643 §6)', () => {
  it('lists User and Group in a ListResponse whose counters are integers', () => {
    expect(docs.resourceTypes).toMatchObject({ schemas: [SCHEMA_LIST_RESPONSE], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    expect((docs.resourceTypes.Resources as ResourceTypeDocument[]).map((r) => r.name)).toEqual(['User', 'Group']);
  });

  it.each([
    [
      'User',
      {
        schemas: [SCHEMA_RESOURCE_TYPE],
        id: 'User',
        name: 'User',
        description: 'User Account',
        endpoint: '/Users',
        schema: SCHEMA_USER,
        schemaExtensions: [{ schema: SCHEMA_ENTERPRISE_USER, required: false }],
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
      },
    ],
    [
      'Group',
      {
        schemas: [SCHEMA_RESOURCE_TYPE],
        id: 'Group',
        name: 'Group',
        description: 'Group',
        endpoint: '/Groups',
        schema: SCHEMA_GROUP,
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
      },
    ],
  ])('renders %s exactly', (name, expected) => {
    expect(docs.resourceType(name)).toEqual(expected);
    expect(docs.resourceTypes.Resources).toContainEqual(expected);
  });

  it.each(['user', 'GROUP'])('finds "%s" whatever its letter case', (name) => {
    expect(docs.resourceType(name)?.name.toLowerCase()).toBe(name.toLowerCase());
  });

  it.each(['Users', 'Widget', '', SCHEMA_USER])('has no resource type "%s"', (name) => {
    expect(docs.resourceType(name)).toBeUndefined();
  });
});

describe('Schemas (RFC 7643 §7)', () => {
  const list = docs.schemas.Resources as SchemaDocument[];

  it('lists the User, EnterpriseUser and Group schemas in a ListResponse', () => {
    expect(docs.schemas).toMatchObject({ schemas: [SCHEMA_LIST_RESPONSE], totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    expect(list.map((s) => s.id)).toEqual([SCHEMA_USER, SCHEMA_ENTERPRISE_USER, SCHEMA_GROUP]);
  });

  it.each([
    [SCHEMA_USER, 'User'],
    [SCHEMA_ENTERPRISE_USER, 'EnterpriseUser'],
    [SCHEMA_GROUP, 'Group'],
  ])('serves %s as the Schema resource "%s" with its own meta location', (urn, name) => {
    const schema = docs.schema(urn);
    expect(schema).toMatchObject({ schemas: [SCHEMA_SCHEMA], id: urn, name, meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${urn}` } });
    expect(list).toContainEqual(schema);
  });

  it('finds a schema by URN whatever its letter case', () => {
    expect(docs.schema(SCHEMA_USER.toUpperCase())?.id).toBe(SCHEMA_USER);
  });

  it.each(['urn:ietf:params:scim:schemas:core:2.0:Widget', 'User', ''])('has no schema "%s"', (urn) => {
    expect(docs.schema(urn)).toBeUndefined();
  });

  it.each([
    ['userName', { type: 'string', multiValued: false, required: true, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'server' }],
    ['id', { type: 'string', caseExact: true, mutability: 'readOnly', returned: 'always' }],
    ['password', { type: 'string', mutability: 'writeOnly', returned: 'never' }],
    ['groups', { type: 'complex', multiValued: true, mutability: 'readOnly' }],
    ['emails', { type: 'complex', multiValued: true }],
  ])('User schema: %s has the RFC 7643 characteristics', (name, expected) => {
    expect(attribute(docs.schema(SCHEMA_USER), name)).toMatchObject(expected);
  });

  it.each([
    [SCHEMA_GROUP, 'displayName', { required: true }],
    [SCHEMA_GROUP, 'id', { mutability: 'readOnly', returned: 'always' }],
    [SCHEMA_ENTERPRISE_USER, 'manager', { type: 'complex', multiValued: false }],
  ])('%s: %s has the RFC 7643 characteristics', (urn, name, expected) => {
    expect(attribute(docs.schema(urn), name)).toMatchObject(expected);
  });

  it('gives every attribute and sub-attribute all the §7 characteristics, with referenceTypes on every reference', () => {
    for (const schema of list) {
      for (const a of allAttributes(schema.attributes)) {
        expect(Object.keys(a)).toEqual(expect.arrayContaining(['name', 'type', 'multiValued', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']));
        if (a.type === 'reference') expect(a.referenceTypes?.length).toBeGreaterThan(0);
        if (a.type === 'complex') expect(a.subAttributes?.length).toBeGreaterThan(0);
        else expect(a).not.toHaveProperty('subAttributes');
      }
    }
  });

  it('survives a JSON round trip unchanged (no undefined members, nothing shared)', () => {
    expect(JSON.parse(JSON.stringify(docs.schemas))).toEqual(docs.schemas);
  });
});

describe('base URL', () => {
  it('drops trailing slashes so locations never hold "//"', () => {
    const d = buildDiscoveryDocuments(`${BASE}//`);
    expect(d.serviceProviderConfig.meta.location).toBe(`${BASE}/ServiceProviderConfig`);
    expect(d.resourceType('User')?.meta.location).toBe(`${BASE}/ResourceTypes/User`);
  });
});
