import fc from 'fast-check';
import { SCHEMA_ENTERPRISE_USER, ScimError, type UserAttributes } from '@taskize/scim-core';
import { applyUserPatch } from './apply-user';
import { parsePatchRequest, type PatchOp } from './parse';
import { patchBody, scimErrorOf } from './test-helpers';

const ENT = SCHEMA_ENTERPRISE_USER;

function patch(source: UserAttributes, operations: unknown[]) {
  return applyUserPatch(source, parsePatchRequest(patchBody(operations), { resource: 'User' }));
}

const bjensen: UserAttributes = {
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
};

interface Row {
  name: string;
  source: UserAttributes;
  ops: unknown[];
  target: UserAttributes;
  changed: string[];
}

const rows: Row[] = [
  // Okta: deactivate / reactivate with a no-path replace (fixtures/okta/user-deactivate.json).
  { name: 'no-path replace of active (Okta deactivate)', source: bjensen, ops: [{ op: 'replace', value: { active: false } }], target: { ...bjensen, active: false }, changed: ['active'] },
  { name: 'Entra "False" string for active', source: bjensen, ops: [{ op: 'Replace', path: 'active', value: 'False' }], target: { ...bjensen, active: false }, changed: ['active'] },
  { name: 'Entra "TRUE" string for active (any case)', source: { ...bjensen, active: false }, ops: [{ op: 'Replace', path: 'active', value: 'TRUE' }], target: bjensen, changed: ['active'] },
  { name: 'a replace with the current value, reporting no change', source: bjensen, ops: [{ op: 'replace', path: 'active', value: true }], target: bjensen, changed: [] },
  { name: 'case-insensitive attribute names in the path', source: bjensen, ops: [{ op: 'replace', path: 'DISPLAYNAME', value: 'Babs' }], target: { ...bjensen, displayName: 'Babs' }, changed: ['displayName'] },
  { name: 'a core-URN-qualified path', source: bjensen, ops: [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:title', value: 'CEO' }], target: { ...bjensen, title: 'CEO' }, changed: ['title'] },
  { name: 'replace of userName', source: bjensen, ops: [{ op: 'Replace', path: 'userName', value: 'Babs@Example.com' }], target: { ...bjensen, userName: 'Babs@Example.com' }, changed: ['userName'] },
  { name: 'sub-attribute path name.familyName', source: bjensen, ops: [{ op: 'Replace', path: 'name.familyName', value: 'Doe' }], target: { ...bjensen, name: { givenName: 'Barbara', familyName: 'Doe' } }, changed: ['name'] },
  { name: 'sub-attribute path creating the complex attribute', source: { userName: 'x', active: true }, ops: [{ op: 'add', path: 'name.givenName', value: 'X' }], target: { userName: 'x', active: true, name: { givenName: 'X' } }, changed: ['name'] },
  { name: 'replace of a complex attribute, merging sub-attributes (RFC 7644 §3.5.2.3)', source: bjensen, ops: [{ op: 'replace', path: 'name', value: { familyName: 'Doe', middleName: 'Q' } }], target: { ...bjensen, name: { givenName: 'Barbara', familyName: 'Doe', middleName: 'Q' } }, changed: ['name'] },
  { name: 'null sub-attribute in a complex value, removing it', source: bjensen, ops: [{ op: 'replace', path: 'name', value: { givenName: null } }], target: { ...bjensen, name: { familyName: 'Jensen' } }, changed: ['name'] },
  { name: 'remove of the last sub-attribute, dropping the complex attribute', source: { userName: 'x', active: true, name: { givenName: 'X' } }, ops: [{ op: 'remove', path: 'name.givenName' }], target: { userName: 'x', active: true }, changed: ['name'] },
  { name: 'dotted no-path keys (Entra aadOptscim062020)', source: bjensen, ops: [{ op: 'replace', value: { 'name.givenName': 'Babs', displayName: 'Babs J' } }], target: { ...bjensen, name: { givenName: 'Babs', familyName: 'Jensen' }, displayName: 'Babs J' }, changed: ['displayName', 'name'] },
  { name: 'remove of a single-valued attribute', source: { ...bjensen, title: 'CEO' }, ops: [{ op: 'remove', path: 'title' }], target: bjensen, changed: ['title'] },
  { name: 'remove of an absent attribute, as a no-op', source: bjensen, ops: [{ op: 'remove', path: 'title' }], target: bjensen, changed: [] },
  { name: 'replace with null, as remove (RFC 7643 §2.5)', source: { ...bjensen, title: 'CEO' }, ops: [{ op: 'replace', path: 'title', value: null }], target: bjensen, changed: ['title'] },
  { name: 'a password path, accepted and ignored', source: bjensen, ops: [{ op: 'replace', path: 'password', value: 'hunter2' }], target: bjensen, changed: [] },
  { name: 'a password no-path key, accepted and ignored', source: bjensen, ops: [{ op: 'replace', value: { password: 'hunter2', active: false } }], target: { ...bjensen, active: false }, changed: ['active'] },
  { name: 'readOnly id/meta/groups in a no-path value, dropped', source: bjensen, ops: [{ op: 'replace', value: { id: 'x', meta: { version: 'W/"1"' }, groups: [], schemas: [], nickName: 'B' } }], target: { ...bjensen, nickName: 'B' }, changed: ['nickName'] },
  { name: 'unknown no-path keys, dropped as on PUT', source: bjensen, ops: [{ op: 'add', value: { favouriteColour: 'blue', 'urn:example:ext:1.0:User:x': 1, nickName: 'B' } }], target: { ...bjensen, nickName: 'B' }, changed: ['nickName'] },

  // Multi-valued attributes (RFC 7644 §3.5.2.1–3).
  { name: 'add to a multi-valued attribute, appending', source: bjensen, ops: [{ op: 'add', path: 'emails', value: [{ value: 'b@c.d', type: 'other' }] }], target: { ...bjensen, emails: [...bjensen.emails!, { value: 'b@c.d', type: 'other' }] }, changed: ['emails'] },
  { name: 'add of an exact duplicate, skipped', source: bjensen, ops: [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] }], target: bjensen, changed: [] },
  { name: 'add of a single object to a multi-valued attribute', source: { userName: 'x', active: true }, ops: [{ op: 'add', path: 'phoneNumbers', value: { value: '555', type: 'work' } }], target: { userName: 'x', active: true, phoneNumbers: [{ value: '555', type: 'work' }] }, changed: ['phoneNumbers'] },
  { name: 'add of a new primary, clearing the old one (RFC 7643 §2.4)', source: bjensen, ops: [{ op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'other', primary: 'True' }] }], target: { ...bjensen, emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'babs@jensen.org', type: 'home' }, { value: 'new@example.com', type: 'other', primary: true }] }, changed: ['emails'] },
  { name: 'replace of a whole multi-valued attribute', source: bjensen, ops: [{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] }], target: { ...bjensen, emails: [{ value: 'only@example.com' }] }, changed: ['emails'] },
  { name: 'no-path replace of a multi-valued attribute', source: bjensen, ops: [{ op: 'replace', value: { emails: [{ value: 'only@example.com' }] } }], target: { ...bjensen, emails: [{ value: 'only@example.com' }] }, changed: ['emails'] },
  { name: 'remove of a whole multi-valued attribute', source: bjensen, ops: [{ op: 'remove', path: 'emails' }], target: { userName: 'bjensen', name: bjensen.name, active: true }, changed: ['emails'] },
  { name: 'replace through a value filter (Entra)', source: bjensen, ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }], target: { ...bjensen, emails: [{ value: 'new@example.com', type: 'work', primary: true }, bjensen.emails![1]!] }, changed: ['emails'] },
  { name: 'a value filter compared case-insensitively', source: bjensen, ops: [{ op: 'replace', path: 'emails[TYPE eq "WORK"].value', value: 'new@example.com' }], target: { ...bjensen, emails: [{ value: 'new@example.com', type: 'work', primary: true }, bjensen.emails![1]!] }, changed: ['emails'] },
  { name: 'replace through a filter matching nothing, creating the element (Entra)', source: { userName: 'x', active: true }, ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@example.com' }], target: { userName: 'x', active: true, emails: [{ value: 'x@example.com', type: 'work' }] }, changed: ['emails'] },
  { name: 'add through an and-filter matching nothing, creating the element from every eq', source: bjensen, ops: [{ op: 'add', path: 'phoneNumbers[type eq "work" and display eq "Desk"].value', value: '555' }], target: { ...bjensen, phoneNumbers: [{ value: '555', display: 'Desk', type: 'work' }] }, changed: ['phoneNumbers'] },
  { name: 'primary "True" through a filter, clearing the others', source: bjensen, ops: [{ op: 'replace', path: 'emails[type eq "home"].primary', value: 'True' }], target: { ...bjensen, emails: [{ value: 'bjensen@example.com', type: 'work', primary: false }, { value: 'babs@jensen.org', type: 'home', primary: true }] }, changed: ['emails'] },
  { name: 'an object through a value filter, merged into the match', source: bjensen, ops: [{ op: 'replace', path: 'emails[type eq "home"]', value: { display: 'Home' } }], target: { ...bjensen, emails: [bjensen.emails![0]!, { value: 'babs@jensen.org', display: 'Home', type: 'home' }] }, changed: ['emails'] },
  { name: 'remove through a value filter', source: bjensen, ops: [{ op: 'remove', path: 'emails[type eq "home"]' }], target: { ...bjensen, emails: [bjensen.emails![0]!] }, changed: ['emails'] },
  { name: 'remove of the last value through a filter, unassigning the attribute', source: { ...bjensen, emails: [bjensen.emails![1]!] }, ops: [{ op: 'remove', path: 'emails[value eq "babs@jensen.org"]' }], target: { userName: 'bjensen', name: bjensen.name, active: true }, changed: ['emails'] },
  { name: 'remove through a filter matching nothing, as a no-op', source: bjensen, ops: [{ op: 'remove', path: 'emails[type eq "other"]' }], target: bjensen, changed: [] },
  { name: 'remove of a sub-attribute through a filter', source: bjensen, ops: [{ op: 'remove', path: 'emails[type eq "work"].primary' }], target: { ...bjensen, emails: [{ value: 'bjensen@example.com', type: 'work' }, bjensen.emails![1]!] }, changed: ['emails'] },
  { name: 'remove through an or-filter', source: bjensen, ops: [{ op: 'remove', path: 'emails[type eq "home" or type eq "work"]' }], target: { userName: 'bjensen', name: bjensen.name, active: true }, changed: ['emails'] },

  // Enterprise extension (RFC 7643 §4.3).
  { name: 'an extension attribute by URN path (Entra)', source: bjensen, ops: [{ op: 'Add', path: `${ENT}:employeeNumber`, value: '701984' }], target: { ...bjensen, enterprise: { employeeNumber: '701984' } }, changed: [`${ENT}:employeeNumber`] },
  { name: 'a case-insensitive extension URN', source: bjensen, ops: [{ op: 'Add', path: `${ENT.toUpperCase()}:DEPARTMENT`, value: 'Sales' }], target: { ...bjensen, enterprise: { department: 'Sales' } }, changed: [`${ENT}:department`] },
  { name: 'a bare manager id, stored as {value} (Entra)', source: bjensen, ops: [{ op: 'Add', path: `${ENT}:manager`, value: 'mgr-1' }], target: { ...bjensen, enterprise: { manager: { value: 'mgr-1' } } }, changed: [`${ENT}:manager`] },
  { name: 'manager.value as a sub-attribute path', source: bjensen, ops: [{ op: 'replace', path: `${ENT}:manager.value`, value: 'mgr-2' }], target: { ...bjensen, enterprise: { manager: { value: 'mgr-2' } } }, changed: [`${ENT}:manager`] },
  { name: 'removal of the manager', source: { ...bjensen, enterprise: { manager: { value: 'm' }, department: 'D' } }, ops: [{ op: 'Remove', path: `${ENT}:manager` }], target: { ...bjensen, enterprise: { department: 'D' } }, changed: [`${ENT}:manager`] },
  { name: 'removal of the last extension attribute, dropping the extension', source: { ...bjensen, enterprise: { department: 'D' } }, ops: [{ op: 'remove', path: `${ENT}:department` }], target: bjensen, changed: [`${ENT}:department`] },
  { name: 'a full-URN no-path key (Entra aadOptscim062020)', source: bjensen, ops: [{ op: 'replace', value: { [`${ENT}:employeeNumber`]: '1' } }], target: { ...bjensen, enterprise: { employeeNumber: '1' } }, changed: [`${ENT}:employeeNumber`] },
  { name: 'the extension URN as a no-path key with an object', source: { ...bjensen, enterprise: { costCenter: 'C' } }, ops: [{ op: 'add', value: { [ENT]: { department: 'x', manager: 'm' } } }], target: { ...bjensen, enterprise: { costCenter: 'C', department: 'x', manager: { value: 'm' } } }, changed: [`${ENT}:department`, `${ENT}:manager`] },
  { name: 'the extension URN as a path with an object, merged', source: { ...bjensen, enterprise: { costCenter: 'C' } }, ops: [{ op: 'replace', path: ENT, value: { division: 'V' } }], target: { ...bjensen, enterprise: { costCenter: 'C', division: 'V' } }, changed: [`${ENT}:division`] },
  { name: 'remove of the extension URN, dropping the extension', source: { ...bjensen, enterprise: { costCenter: 'C', department: 'D' } }, ops: [{ op: 'remove', path: ENT }], target: bjensen, changed: [`${ENT}:costCenter`, `${ENT}:department`] },

  // Several operations apply in order.
  { name: 'operations in order, the last write winning', source: bjensen, ops: [{ op: 'replace', path: 'title', value: 'A' }, { op: 'replace', path: 'title', value: 'B' }], target: { ...bjensen, title: 'B' }, changed: ['title'] },
  { name: 'a remove then add of the same attribute', source: bjensen, ops: [{ op: 'remove', path: 'emails' }, { op: 'add', path: 'emails', value: [{ value: 'z@z.z' }] }], target: { ...bjensen, emails: [{ value: 'z@z.z' }] }, changed: ['emails'] },
  // RFC 7644 §3.5.2.1 example: add a member-like value and a nickName in one no-path op.
  { name: 'the RFC 7644 §3.5.2.1 no-path add example', source: bjensen, ops: [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } }], target: { ...bjensen, nickName: 'Babs' }, changed: ['nickName'] },
  // RFC 7644 §3.5.2.3 example: replace a single email's attributes.
  { name: 'the RFC 7644 §3.5.2.3 filtered replace example', source: bjensen, ops: [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'bjensen@jensen.org' }], target: { ...bjensen, emails: [bjensen.emails![0]!, { value: 'bjensen@jensen.org', type: 'home' }] }, changed: ['emails'] },
];

describe('applyUserPatch applies', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, { source, ops, target, changed }) => {
    const before = structuredClone(source);
    const result = patch(source, ops);
    expect(result.user).toStrictEqual(target);
    expect(result.changed).toStrictEqual(changed);
    expect(source).toStrictEqual(before);
  });
});

describe('applyUserPatch rejects', () => {
  const cases: [string, UserAttributes, unknown[], string][] = [
    ['a readOnly id path with mutability', bjensen, [{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
    ['a readOnly meta sub-attribute with mutability', bjensen, [{ op: 'replace', path: 'meta.version', value: 'x' }], 'mutability'],
    ['a readOnly groups path with mutability', bjensen, [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], 'mutability'],
    ['manager.displayName (readOnly) with mutability', bjensen, [{ op: 'replace', path: `${ENT}:manager.displayName`, value: 'M' }], 'mutability'],
    ['removing userName with invalidValue', bjensen, [{ op: 'remove', path: 'userName' }], 'invalidValue'],
    ['replacing userName with null with invalidValue', bjensen, [{ op: 'replace', path: 'userName', value: null }], 'invalidValue'],
    ['replacing userName with "" with invalidValue', bjensen, [{ op: 'replace', path: 'userName', value: '' }], 'invalidValue'],
    ['removing active with invalidValue', bjensen, [{ op: 'remove', path: 'active' }], 'invalidValue'],
    ['an unknown attribute path with invalidPath', bjensen, [{ op: 'replace', path: 'favouriteColour', value: 'x' }], 'invalidPath'],
    ['an unknown sub-attribute path with invalidPath', bjensen, [{ op: 'replace', path: 'name.nickname', value: 'x' }], 'invalidPath'],
    ['a sub-attribute of a simple attribute with invalidPath', bjensen, [{ op: 'replace', path: 'title.value', value: 'x' }], 'invalidPath'],
    ['an unknown extension with invalidPath', bjensen, [{ op: 'replace', path: 'urn:example:ext:1.0:User:x', value: 'x' }], 'invalidPath'],
    ['a filter on a single-valued attribute with invalidPath', bjensen, [{ op: 'replace', path: 'name[givenName eq "x"].familyName', value: 'x' }], 'invalidPath'],
    ['a non-boolean active with invalidValue', bjensen, [{ op: 'replace', path: 'active', value: 'yes' }], 'invalidValue'],
    ['a number for a string attribute with invalidValue', bjensen, [{ op: 'replace', path: 'title', value: 5 }], 'invalidValue'],
    ['a string for a complex attribute with invalidValue', bjensen, [{ op: 'replace', path: 'name', value: 'x' }], 'invalidValue'],
    ['a non-object for the extension with invalidValue', bjensen, [{ op: 'replace', path: ENT, value: 'x' }], 'invalidValue'],
    ['an or-filter matching nothing with noTarget', bjensen, [{ op: 'replace', path: 'emails[type eq "other" or type eq "x"].value', value: 'a' }], 'noTarget'],
    ['a ne-filter matching nothing with noTarget', { userName: 'x', active: true }, [{ op: 'replace', path: 'emails[type ne "work"].value', value: 'a' }], 'noTarget'],
    ['two primaries added at once with invalidValue', bjensen, [{ op: 'add', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }], 'invalidValue'],
    ['primary through a filter matching two elements with invalidValue', { ...bjensen, emails: [{ value: 'a', type: 'work' }, { value: 'b', type: 'work' }] }, [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }], 'invalidValue'],
    ['more than 100 emails with invalidValue', bjensen, [{ op: 'replace', path: 'emails', value: Array.from({ length: 101 }, (_, i) => ({ value: `${i}@x` })) }], 'invalidValue'],
    ['a non-object through a value filter with invalidValue', bjensen, [{ op: 'replace', path: 'emails[type eq "work"]', value: 'x' }], 'invalidValue'],
  ];
  it.each(cases)('%s', (_name, source, ops, scimType) => {
    const before = structuredClone(source);
    expect(scimErrorOf(() => patch(source, ops)).scimType).toBe(scimType);
    expect(source).toStrictEqual(before);
  });

  it('a hand-built remove without a path with noTarget', () => {
    expect(scimErrorOf(() => applyUserPatch(bjensen, [{ op: 'remove' }])).scimType).toBe('noTarget');
  });

  it('applies nothing when a later operation fails (all or nothing)', () => {
    const source = structuredClone(bjensen);
    const ops = parsePatchRequest(patchBody([{ op: 'replace', path: 'title', value: 'A' }, { op: 'replace', path: 'id', value: 'x' }]), { resource: 'User' });
    expect(() => applyUserPatch(source, ops)).toThrow(ScimError);
    expect(source).toStrictEqual(bjensen);
  });
});

describe('applyUserPatch accepts hand-built operations', () => {
  it('expands a no-path replace the same way the parser does', () => {
    const ops: PatchOp[] = [{ op: 'replace', value: { active: false, id: 'ignored' } }];
    expect(applyUserPatch(bjensen, ops)).toStrictEqual({ user: { ...bjensen, active: false }, changed: ['active'] });
  });
});

describe('applyUserPatch properties', () => {
  const attrName = fc.constantFrom('userName', 'active', 'title', 'name', 'name.givenName', 'emails', 'emails[type eq "work"].value', 'emails[type eq "work"].primary', 'phoneNumbers', 'id', 'meta', 'password', `${ENT}:manager`, `${ENT}:department`, ENT, 'x', 'emails[value co "a"]');
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('True', 'false', '', null, true, { value: 'a', type: 'work', primary: 'true' }, [{ value: 'b' }]));
  const operation = fc.record(
    {
      op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove'), fc.string()),
      path: fc.oneof(attrName, fc.string()),
      value,
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.record({ schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), Operations: fc.array(operation, { maxLength: 5 }) }),
    fc.record({ schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), Operations: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }) }),
    fc.jsonValue({ maxDepth: 4 }),
  );

  it('never throws anything but ScimError, and never mutates the user', () => {
    fc.assert(
      fc.property(body, (b) => {
        const source = structuredClone(bjensen);
        try {
          const result = applyUserPatch(source, parsePatchRequest(b, { resource: 'User' }));
          expect(typeof result.user.userName).toBe('string');
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
        expect(source).toStrictEqual(bjensen);
      }),
      { numRuns: 2000 },
    );
  });
});
