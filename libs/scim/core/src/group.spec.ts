import fc from 'fast-check';
import { ScimError } from './errors';
import { MAX_GROUP_MEMBERS, parseGroupBody, renderGroup } from './group';
import type { GroupAttributes, StoredGroup } from './group.types';
import { SCHEMA_ENTRA_GROUP, SCHEMA_GROUP } from './schemas';

const base = { schemas: [SCHEMA_GROUP], displayName: 'Engineering' };

/** Okta OIN create (POST /Groups). */
const OKTA_CREATE = { schemas: [SCHEMA_GROUP], displayName: 'Test SCIMv2', members: [] };

/** Entra create: its ADSCIM schema, a client `meta`, and members with `"$ref": null`. */
const ENTRA_CREATE = {
  schemas: [SCHEMA_GROUP, SCHEMA_ENTRA_GROUP],
  externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
  displayName: 'displayName',
  meta: { resourceType: 'Group' },
  members: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }],
};

function scimTypeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e.scimType;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('parseGroupBody accepts', () => {
  const cases: [string, unknown, GroupAttributes][] = [
    ['the Okta create body', OKTA_CREATE, { displayName: 'Test SCIMv2', members: [] }],
    ['the Entra create body, ignoring its schema, meta and null $ref', ENTRA_CREATE, { displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', members: [{ value: 'f648f8d5ea4e4cd38e9c' }] }],
    ['a body without members, leaving members absent', base, { displayName: 'Engineering' }],
    ['null members as absent', { ...base, members: null }, { displayName: 'Engineering' }],
    ['case-insensitive attribute names', { SCHEMAS: [SCHEMA_GROUP.toUpperCase()], DISPLAYNAME: 'X', Members: [{ VALUE: 'a', Display: 'A' }] }, { displayName: 'X', members: [{ value: 'a', display: 'A' }] }],
    ['readOnly id and meta, ignored', { ...base, id: 'g1', meta: { version: 'W/"3"' } }, { displayName: 'Engineering' }],
    ['member types in any case, canonicalised', { ...base, members: [{ value: 'a', type: 'user' }, { value: 'b', type: 'GROUP' }] }, { displayName: 'Engineering', members: [{ value: 'a', type: 'User' }, { value: 'b', type: 'Group' }] }],
    ['a member $ref string, kept', { ...base, members: [{ value: 'a', $ref: 'https://x/Users/a' }] }, { displayName: 'Engineering', members: [{ value: 'a', $ref: 'https://x/Users/a' }] }],
    ['explicit nulls inside members, as absent', { ...base, members: [null, { value: 'a', display: null, type: null }] }, { displayName: 'Engineering', members: [{ value: 'a' }] }],
    ['duplicate member values, collapsed to the first', { ...base, members: [{ value: 'a', display: 'first' }, { value: 'b' }, { value: 'a', display: 'second' }] }, { displayName: 'Engineering', members: [{ value: 'a', display: 'first' }, { value: 'b' }] }],
    ['unknown attributes and member keys, dropped', { ...base, description: 'x', members: [{ value: 'a', operation: 'delete' }] }, { displayName: 'Engineering', members: [{ value: 'a' }] }],
    ['null externalId as absent', { ...base, externalId: null }, { displayName: 'Engineering' }],
    ['a 255-character displayName', { ...base, displayName: 'x'.repeat(255) }, { displayName: 'x'.repeat(255) }],
    ['a 64-character member value', { ...base, members: [{ value: 'v'.repeat(64) }] }, { displayName: 'Engineering', members: [{ value: 'v'.repeat(64) }] }],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    const before = structuredClone(body);
    expect(parseGroupBody(body)).toStrictEqual(expected);
    expect(body).toStrictEqual(before);
  });

  it('accepts 100,000 members', () => {
    const members = Array.from({ length: MAX_GROUP_MEMBERS }, (_, i) => ({ value: `u${i}` }));
    expect(parseGroupBody({ ...base, members }).members).toHaveLength(MAX_GROUP_MEMBERS);
  });
});

describe('parseGroupBody rejects', () => {
  const cases: [string, unknown, string][] = [
    ['a non-object body with invalidSyntax', 'x', 'invalidSyntax'],
    ['missing schemas with invalidValue', { displayName: 'x' }, 'invalidValue'],
    ['the User schema with invalidValue', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], displayName: 'x' }, 'invalidValue'],
    ['an unknown extra schema with invalidValue', { schemas: [SCHEMA_GROUP, 'urn:example:x'], displayName: 'x' }, 'invalidValue'],
    ['a missing displayName with invalidValue', { schemas: [SCHEMA_GROUP] }, 'invalidValue'],
    ['an empty displayName with invalidValue', { ...base, displayName: '' }, 'invalidValue'],
    ['a blank displayName with invalidValue', { ...base, displayName: '  ' }, 'invalidValue'],
    ['a null displayName with invalidValue', { ...base, displayName: null }, 'invalidValue'],
    ['a numeric displayName with invalidValue', { ...base, displayName: 5 }, 'invalidValue'],
    ['a 256-character displayName with invalidValue', { ...base, displayName: 'x'.repeat(256) }, 'invalidValue'],
    ['displayName given twice in different case with invalidValue', { ...base, DISPLAYNAME: 'y' }, 'invalidValue'],
    ['a numeric externalId with invalidValue', { ...base, externalId: 5 }, 'invalidValue'],
    ['non-array members with invalidValue', { ...base, members: { value: 'a' } }, 'invalidValue'],
    ['a string member with invalidValue', { ...base, members: ['a'] }, 'invalidValue'],
    ['a member without value with invalidValue', { ...base, members: [{ display: 'a' }] }, 'invalidValue'],
    ['a member with an empty value with invalidValue', { ...base, members: [{ value: '' }] }, 'invalidValue'],
    ['a member with a numeric value with invalidValue', { ...base, members: [{ value: 1 }] }, 'invalidValue'],
    ['a member value over 64 characters with invalidValue', { ...base, members: [{ value: 'v'.repeat(65) }] }, 'invalidValue'],
    ['a member type other than User/Group with invalidValue', { ...base, members: [{ value: 'a', type: 'Device' }] }, 'invalidValue'],
    ['a numeric member display with invalidValue', { ...base, members: [{ value: 'a', display: 1 }] }, 'invalidValue'],
    ['more than 100,000 members with invalidValue', { ...base, members: Array.from({ length: MAX_GROUP_MEMBERS + 1 }, (_, i) => ({ value: `u${i}` })) }, 'invalidValue'],
  ];
  it.each(cases)('%s', (_name, body, scimType) => {
    expect(scimTypeOf(() => parseGroupBody(body))).toBe(scimType);
  });

  it('never throws anything but ScimError on random JSON', () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ schemas: fc.constant([SCHEMA_GROUP]), displayName: fc.jsonValue({ maxDepth: 1 }), members: fc.jsonValue({ maxDepth: 3 }), externalId: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ['schemas'] }),
    );
    fc.assert(
      fc.property(body, (b) => {
        try {
          parseGroupBody(b);
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('renderGroup', () => {
  const stored: StoredGroup = {
    id: 'g1',
    displayName: 'Engineering',
    externalId: 'ext-1',
    members: [{ value: 'u1', display: 'Ann' }, { value: 'g2', type: 'Group' }, { value: 'u3', type: 'User', $ref: 'https://client/elsewhere' }],
    created: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-02T00:00:00.000Z',
    version: 3,
  };

  it('renders the RFC 7643 §4.2 resource with derived member $refs and meta', () => {
    expect(renderGroup(stored, { baseUrl: 'https://scim.example.com/scim/v2/' })).toStrictEqual({
      schemas: [SCHEMA_GROUP],
      id: 'g1',
      displayName: 'Engineering',
      externalId: 'ext-1',
      members: [
        { value: 'u1', display: 'Ann', $ref: 'https://scim.example.com/scim/v2/Users/u1' },
        { value: 'g2', type: 'Group', $ref: 'https://scim.example.com/scim/v2/Groups/g2' },
        { value: 'u3', type: 'User', $ref: 'https://scim.example.com/scim/v2/Users/u3' },
      ],
      meta: {
        resourceType: 'Group',
        created: '2024-01-01T00:00:00.000Z',
        lastModified: '2024-01-02T00:00:00.000Z',
        location: 'https://scim.example.com/scim/v2/Groups/g1',
        version: 'W/"3"',
      },
    });
  });

  it('renders no members key when members were not loaded (excludedAttributes=members)', () => {
    const { members: _members, externalId: _externalId, ...rest } = stored;
    const resource = renderGroup(rest, { baseUrl: 'https://x' });
    expect(Object.keys(resource)).toStrictEqual(['schemas', 'id', 'displayName', 'meta']);
  });

  it('renders an empty member list as []', () => {
    expect(renderGroup({ ...stored, members: [] }, { baseUrl: 'https://x' })['members']).toStrictEqual([]);
  });

  it('does not mutate the stored group', () => {
    const before = structuredClone(stored);
    const resource = renderGroup(stored, { baseUrl: 'https://x' });
    (resource['members'] as Record<string, unknown>[])[0]!['value'] = 'changed';
    expect(stored).toStrictEqual(before);
  });
});
