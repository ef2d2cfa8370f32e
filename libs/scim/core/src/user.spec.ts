import fc from 'fast-check';
import { ScimError } from './errors';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_USER } from './schemas';
import { parseUserBody, renderUser } from './user';
import type { StoredUser, UserAttributes } from './user.types';

/** Okta OIN create (POST /Users), as in Okta's SCIM 2.0 guide. */
const OKTA_CREATE = {
  schemas: [SCHEMA_USER],
  userName: 'Test.User@example.com',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'Test.User@example.com', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

/** Entra create, with its string booleans, client `meta`, `roles: []` and an explicit null. */
const ENTRA_CREATE = {
  schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee@contoso.com',
  active: 'True',
  emails: [{ primary: 'true', type: 'work', value: 'Test_User_fd0ea19b@contoso.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  phoneNumbers: null,
  roles: [],
  [SCHEMA_ENTERPRISE_USER]: { employeeNumber: '701984', department: 'Finance', manager: 'mgr-42' },
};

const base = { schemas: [SCHEMA_USER], userName: 'bjensen' };

describe('parseUserBody accepts', () => {
  const cases: [string, unknown, UserAttributes][] = [
    [
      'the Okta create body, dropping password and groups and keeping userName case',
      OKTA_CREATE,
      {
        externalId: '00ujl29u0le5T6Aj10h7',
        userName: 'Test.User@example.com',
        name: { givenName: 'Test', familyName: 'User' },
        displayName: 'Test User',
        locale: 'en-US',
        active: true,
        emails: [{ value: 'Test.User@example.com', type: 'work', primary: true }],
      },
    ],
    [
      'the Entra create body, coercing "True" and a bare manager id',
      ENTRA_CREATE,
      {
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.com',
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        active: true,
        emails: [{ value: 'Test_User_fd0ea19b@contoso.com', type: 'work', primary: true }],
        roles: [],
        enterprise: { employeeNumber: '701984', department: 'Finance', manager: { value: 'mgr-42' } },
      },
    ],
    ['a minimal body, defaulting active to true', base, { userName: 'bjensen', active: true }],
    ['"False" as active', { ...base, active: 'False' }, { userName: 'bjensen', active: false }],
    ['"FALSE" as active', { ...base, active: 'FALSE' }, { userName: 'bjensen', active: false }],
    ['"true" as active', { ...base, active: 'true' }, { userName: 'bjensen', active: true }],
    ['null as active (absent → default)', { ...base, active: null }, { userName: 'bjensen', active: true }],
    ['upper-case attribute names', { schemas: [SCHEMA_USER], USERNAME: 'x', DisplayName: 'X' }, { userName: 'x', displayName: 'X', active: true }],
    ['lower-case attribute names', { SCHEMAS: [SCHEMA_USER], username: 'x', ACTIVE: false }, { userName: 'x', active: false }],
    ['case-insensitive schema URNs', { schemas: [SCHEMA_USER.toUpperCase()], userName: 'x' }, { userName: 'x', active: true }],
    ['userName with surrounding spaces, kept as given', { ...base, userName: ' Bob ' }, { userName: ' Bob ', active: true }],
    ['explicit nulls as absent', { ...base, displayName: null, name: { givenName: null, familyName: 'J' } }, { userName: 'bjensen', name: { familyName: 'J' }, active: true }],
    ['null entries inside multi-valued attributes, dropped', { ...base, emails: [null, { value: 'a@b.c', type: null }] }, { userName: 'bjensen', emails: [{ value: 'a@b.c' }], active: true }],
    ['empty entries in multi-valued attributes, kept', { ...base, emails: [{}] }, { userName: 'bjensen', emails: [{}], active: true }],
    ['case-insensitive sub-attribute names', { ...base, emails: [{ VALUE: 'a@b.c', Primary: 'TRUE', TYPE: 'work' }] }, { userName: 'bjensen', emails: [{ value: 'a@b.c', type: 'work', primary: true }], active: true }],
    ['one primary and several non-primaries', { ...base, emails: [{ value: 'a', primary: true }, { value: 'b', primary: false }, { value: 'c', primary: 'False' }] }, { userName: 'bjensen', emails: [{ value: 'a', primary: true }, { value: 'b', primary: false }, { value: 'c', primary: false }], active: true }],
    ['unknown attributes, ignored', { ...base, favouriteColour: 'blue', 'urn:example:ext': { a: 1 } }, { userName: 'bjensen', active: true }],
    [
      "Entra's custom extension listed in schemas, its values ignored",
      { ...base, schemas: [SCHEMA_USER, 'urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User'], 'urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User': { costCode: '7' } },
      { userName: 'bjensen', active: true },
    ],
    ['readOnly id, meta and groups, ignored', { ...base, id: 'abc', meta: { version: 'W/"1"' }, groups: [{ value: 'g' }] }, { userName: 'bjensen', active: true }],
    ['password of any type, dropped unread', { ...base, password: 12 }, { userName: 'bjensen', active: true }],
    ['addresses', { ...base, addresses: [{ streetAddress: '1 Main St', locality: 'Town', country: 'GB', type: 'work', primary: true }] }, { userName: 'bjensen', addresses: [{ streetAddress: '1 Main St', locality: 'Town', country: 'GB', type: 'work', primary: true }], active: true }],
    ['an enterprise manager object with value/$ref/displayName', { schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER], userName: 'x', [SCHEMA_ENTERPRISE_USER]: { manager: { value: 'm', $ref: '../Users/m', displayName: 'Mgr' } } }, { userName: 'x', active: true, enterprise: { manager: { value: 'm', $ref: '../Users/m', displayName: 'Mgr' } } }],
    ['the enterprise key in another case, without its URN in schemas', { ...base, [SCHEMA_ENTERPRISE_USER.toLowerCase()]: { CostCenter: 'cc' } }, { userName: 'bjensen', active: true, enterprise: { costCenter: 'cc' } }],
    ['an enterprise extension of only nulls, omitted', { ...base, [SCHEMA_ENTERPRISE_USER]: { department: null } }, { userName: 'bjensen', active: true }],
    ['a null enterprise extension, omitted', { ...base, [SCHEMA_ENTERPRISE_USER]: null }, { userName: 'bjensen', active: true }],
    ['a 255-character userName', { ...base, userName: 'u'.repeat(255) }, { userName: 'u'.repeat(255), active: true }],
    ['100 emails', { ...base, emails: Array.from({ length: 100 }, () => ({ value: 'a' })) }, { userName: 'bjensen', emails: Array.from({ length: 100 }, () => ({ value: 'a' })), active: true }],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(parseUserBody(body)).toStrictEqual(expected);
  });

  it('does not mutate its input', () => {
    const body = structuredClone(ENTRA_CREATE);
    parseUserBody(body);
    expect(body).toStrictEqual(ENTRA_CREATE);
  });
});

describe('parseUserBody rejects', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['a non-object body', 'hello', 'invalidSyntax', /JSON object/],
    ['a null body', null, 'invalidSyntax', /JSON object/],
    ['an array body', [base], 'invalidSyntax', /JSON object/],
    ['a missing schemas', { userName: 'x' }, 'invalidValue', /schemas/],
    ['schemas that is a string', { schemas: SCHEMA_USER, userName: 'x' }, 'invalidValue', /schemas/],
    ['schemas with a non-string', { schemas: [SCHEMA_USER, 1], userName: 'x' }, 'invalidValue', /schemas/],
    ['schemas without the User schema', { schemas: [SCHEMA_ENTERPRISE_USER], userName: 'x' }, 'invalidValue', /must include/],
    ['another resource\'s core schema', { schemas: [SCHEMA_USER, 'urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'x' }, 'invalidValue', /unsupported schema/],
    ['a schema that is not a URN', { schemas: [SCHEMA_USER, 'custom'], userName: 'x' }, 'invalidValue', /unsupported schema "custom"/],
    ['a missing userName', { schemas: [SCHEMA_USER] }, 'invalidValue', /userName is required/],
    ['a null userName', { ...base, userName: null }, 'invalidValue', /userName is required/],
    ['a blank userName', { ...base, userName: '   ' }, 'invalidValue', /userName is required/],
    ['a numeric userName', { ...base, userName: 42 }, 'invalidValue', /userName must be a string/],
    ['a 256-character userName', { ...base, userName: 'u'.repeat(256) }, 'invalidValue', /userName is longer than 255/],
    ['a numeric displayName', { ...base, displayName: 7 }, 'invalidValue', /displayName must be a string/],
    ['a 1025-character title', { ...base, title: 't'.repeat(1025) }, 'invalidValue', /title is longer than 1024/],
    ['"yes" as active', { ...base, active: 'yes' }, 'invalidValue', /active must be a boolean/],
    ['1 as active', { ...base, active: 1 }, 'invalidValue', /active must be a boolean/],
    ['name as a string', { ...base, name: 'Babs' }, 'invalidValue', /name must be an object/],
    ['emails as an object', { ...base, emails: { value: 'a' } }, 'invalidValue', /emails must be an array/],
    ['emails containing a string', { ...base, emails: ['a@b.c'] }, 'invalidValue', /emails\[0\] must be an object/],
    ['two primary emails', { ...base, emails: [{ value: 'a', primary: true }, { value: 'b', primary: 'True' }] }, 'invalidValue', /more than one primary/],
    ['a non-boolean primary', { ...base, phoneNumbers: [{ value: '1', primary: 'maybe' }] }, 'invalidValue', /phoneNumbers\[0\]\.primary must be a boolean/],
    ['101 roles', { ...base, roles: Array.from({ length: 101 }, () => ({ value: 'r' })) }, 'invalidValue', /more than 100/],
    ['userName given twice in different cases', { ...base, USERNAME: 'other' }, 'invalidValue', /given more than once/],
    ['an enterprise extension that is a string', { ...base, [SCHEMA_ENTERPRISE_USER]: 'x' }, 'invalidValue', /must be an object/],
    ['a numeric manager', { ...base, [SCHEMA_ENTERPRISE_USER]: { manager: 5 } }, 'invalidValue', /manager must be an object/],
    ['a numeric employeeNumber', { ...base, [SCHEMA_ENTERPRISE_USER]: { employeeNumber: 5 } }, 'invalidValue', /employeeNumber must be a string/],
  ];

  it.each(cases)('%s with %#', (_name, body, scimType, detail) => {
    let caught: unknown;
    try {
      parseUserBody(body);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScimError);
    expect((caught as ScimError).scimType).toBe(scimType);
    expect((caught as ScimError).status).toBe(400);
    expect((caught as ScimError).detail).toMatch(detail);
  });
});

describe('parseUserBody on arbitrary input', () => {
  const check = (body: unknown) => {
    try {
      const user = parseUserBody(body);
      return typeof user.userName === 'string' && user.userName.trim() !== '' && typeof user.active === 'boolean';
    } catch (e) {
      return e instanceof ScimError;
    }
  };

  it('throws only ScimError on any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 500 });
  });

  it('throws only ScimError or returns a user with a non-empty userName on user-like objects with random keys', () => {
    const key = fc.oneof(
      fc.constantFrom('userName', 'USERNAME', 'active', 'emails', 'name', 'roles', 'password', 'id', 'meta', 'groups', 'addresses', 'x509Certificates', SCHEMA_ENTERPRISE_USER, '__proto__', 'constructor'),
      fc.string(),
    );
    const body = fc.tuple(fc.dictionary(key, fc.jsonValue()), fc.option(fc.string())).map(([rest, userName]) => ({
      schemas: [SCHEMA_USER],
      ...rest,
      ...(userName === null ? {} : { userName }),
    }));
    fc.assert(fc.property(body, check), { numRuns: 1000 });
  });
});

describe('renderUser', () => {
  const stored: StoredUser = {
    id: '2819c223-7f76-453a-919d-413861904646',
    created: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-02T00:00:00.000Z',
    version: 3,
    attributes: {
      userName: 'Bjensen@example.com',
      externalId: 'ext-1',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      active: true,
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
    },
  };

  it('renders schemas, id, attributes and meta', () => {
    expect(renderUser(stored, { baseUrl: 'https://scim.example.com/scim/v2' })).toStrictEqual({
      schemas: [SCHEMA_USER],
      id: stored.id,
      externalId: 'ext-1',
      userName: 'Bjensen@example.com',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      active: true,
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      meta: {
        resourceType: 'User',
        created: '2024-01-01T00:00:00.000Z',
        lastModified: '2024-01-02T00:00:00.000Z',
        location: `https://scim.example.com/scim/v2/Users/${stored.id}`,
        version: 'W/"3"',
      },
    });
  });

  it.each(['https://h/scim/v2/', 'https://h/scim/v2'])('strips a trailing slash from baseUrl %s', (baseUrl) => {
    expect((renderUser(stored, { baseUrl })['meta'] as { location: string }).location).toBe(`https://h/scim/v2/Users/${stored.id}`);
  });

  it('renders the enterprise extension under its URN with manager as {value}', () => {
    const user: StoredUser = { ...stored, attributes: { ...stored.attributes, enterprise: { department: 'R&D', manager: { value: 'm-1' } } } };
    const resource = renderUser(user, { baseUrl: 'https://h' });
    expect(resource['schemas']).toEqual([SCHEMA_USER, SCHEMA_ENTERPRISE_USER]);
    expect(resource[SCHEMA_ENTERPRISE_USER]).toStrictEqual({ department: 'R&D', manager: { value: 'm-1' } });
    expect(resource).not.toHaveProperty('enterprise');
  });

  it('never renders password, even if a stored record carries one', () => {
    const user = { ...stored, attributes: { ...stored.attributes, password: 'secret' } as UserAttributes };
    expect(renderUser(user, { baseUrl: 'https://h' })).not.toHaveProperty('password');
  });

  it('returns objects that do not alias the stored user', () => {
    const resource = renderUser(stored, { baseUrl: 'https://h' });
    (resource['emails'] as { value: string }[])[0]!.value = 'changed';
    expect(stored.attributes.emails![0]!.value).toBe('bjensen@example.com');
  });

  it('renders what parseUserBody produced from the Entra body so Entra can read it back', () => {
    const resource = renderUser({ ...stored, attributes: parseUserBody(ENTRA_CREATE) }, { baseUrl: 'https://h' });
    expect(resource[SCHEMA_ENTERPRISE_USER]).toStrictEqual({ employeeNumber: '701984', department: 'Finance', manager: { value: 'mgr-42' } });
    expect(resource['active']).toBe(true);
    expect(resource).not.toHaveProperty('phoneNumbers');
  });
});
