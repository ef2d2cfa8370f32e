import { parseProjection, project, wantsAttribute } from './projection';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT],
  id: 'u1',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { value: 'ada@example.com', type: 'work', primary: true },
    { value: 'ada@home.example', type: 'home' },
  ],
  active: true,
  [ENT]: { employeeNumber: '42', department: 'R&D' },
  meta: { resourceType: 'User', version: 'W/"1"' },
};

describe('projection (RFC 7644 §3.9)', () => {
  const cases: [string, Record<string, string>, Record<string, unknown>][] = [
    ['attributes=userName keeps id and schemas', { attributes: 'userName' }, { schemas: user.schemas, id: 'u1', userName: 'ada@example.com' }],
    ['attribute names are case-insensitive', { attributes: 'USERNAME,Active' }, { schemas: user.schemas, id: 'u1', userName: 'ada@example.com', active: true }],
    ['sub-attributes of a complex attribute', { attributes: 'name.familyName' }, { schemas: user.schemas, id: 'u1', name: { familyName: 'Lovelace' } }],
    [
      'sub-attributes of a multi-valued attribute',
      { attributes: 'emails.value' },
      { schemas: user.schemas, id: 'u1', emails: [{ value: 'ada@example.com' }, { value: 'ada@home.example' }] },
    ],
    ['a fully qualified core path', { attributes: 'urn:ietf:params:scim:schemas:core:2.0:User:userName' }, { schemas: user.schemas, id: 'u1', userName: 'ada@example.com' }],
    ['an extension attribute', { attributes: `${ENT}:employeeNumber` }, { schemas: user.schemas, id: 'u1', [ENT]: { employeeNumber: '42' } }],
  ];
  it.each(cases)('%s', (_, query, expected) => {
    expect(project(user, parseProjection(query))).toEqual(expected);
  });

  it('excludedAttributes removes attributes and sub-attributes but never id or schemas', () => {
    const out = project(user, parseProjection({ excludedAttributes: 'emails,name.givenName,id,schemas,meta' }));
    expect(out).toEqual({ schemas: user.schemas, id: 'u1', userName: 'ada@example.com', name: { familyName: 'Lovelace' }, active: true, [ENT]: user[ENT] });
    expect(user.emails).toHaveLength(2); // input untouched
  });

  it.each([
    [{}, true],
    [{ excludedAttributes: 'members' }, false],
    [{ excludedAttributes: 'MEMBERS' }, false],
    [{ excludedAttributes: 'members.display' }, true],
    [{ attributes: 'displayName' }, false],
    [{ attributes: 'displayName,members.value' }, true],
  ])('decides whether members are needed for %j', (query, expected) => {
    expect(wantsAttribute(parseProjection(query as Record<string, string>), 'members')).toBe(expected);
  });
});
