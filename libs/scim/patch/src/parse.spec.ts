import fc from 'fast-check';
import { SCHEMA_ENTERPRISE_USER, SCHEMA_PATCH_OP, ScimError } from '@taskize/scim-core';
import { parsePatchPath } from '@taskize/scim-filter';
import { DEFAULT_MAX_PATCH_OPERATIONS, parsePatchRequest, type PatchOp } from './parse';
import { patchBody, scimErrorOf } from './test-helpers';

const ENT = SCHEMA_ENTERPRISE_USER;
const p = parsePatchPath;

describe('parsePatchRequest normalises', () => {
  const cases: [string, 'User' | 'Group', unknown, PatchOp[]][] = [
    ['a path op', 'User', patchBody([{ op: 'replace', path: 'active', value: false }]), [{ op: 'replace', path: p('active'), value: false }]],
    ['Entra capitalised ops, values kept raw', 'User', patchBody([{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'title', value: 'x' }, { op: 'Remove', path: 'nickName' }]), [{ op: 'replace', path: p('active'), value: 'False' }, { op: 'add', path: p('title'), value: 'x' }, { op: 'remove', path: p('nickName') }]],
    ['upper-case op and keys', 'User', { SCHEMAS: [SCHEMA_PATCH_OP.toUpperCase()], operations: [{ OP: 'REPLACE', PATH: 'title', VALUE: 'x' }] }, [{ op: 'replace', path: p('title'), value: 'x' }]],
    ['an Entra filtered path', 'User', patchBody([{ op: 'Add', path: 'emails[type eq "work"].value', value: 'a@b.c' }]), [{ op: 'add', path: p('emails[type eq "work"].value'), value: 'a@b.c' }]],
    ['a no-path value, one op per key', 'User', patchBody([{ op: 'replace', value: { active: false, displayName: 'X' } }]), [{ op: 'replace', path: p('active'), value: false }, { op: 'replace', path: p('displayName'), value: 'X' }]],
    ['dotted and filtered no-path keys (Entra aadOptscim062020)', 'User', patchBody([{ op: 'replace', value: { 'name.givenName': 'G', 'emails[type eq "work"].value': 'e' } }]), [{ op: 'replace', path: p('name.givenName'), value: 'G' }, { op: 'replace', path: p('emails[type eq "work"].value'), value: 'e' }]],
    ['a full-URN no-path key', 'User', patchBody([{ op: 'replace', value: { [`${ENT}:employeeNumber`]: '1' } }]), [{ op: 'replace', path: p(`${ENT}:employeeNumber`), value: '1' }]],
    ['the extension URN as a no-path key with an object', 'User', patchBody([{ op: 'add', value: { [ENT]: { department: 'x', manager: 'm' } } }]), [{ op: 'add', path: p(`${ENT}:department`), value: 'x' }, { op: 'add', path: p(`${ENT}:manager`), value: 'm' }]],
    ['the extension URN as a no-path key with null, kept for apply', 'User', patchBody([{ op: 'replace', value: { [ENT]: null } }]), [{ op: 'replace', path: p(ENT), value: null }]],
    ['Okta group rename, dropping the readOnly id', 'Group', patchBody([{ op: 'replace', value: { id: 'g1', displayName: 'New' } }]), [{ op: 'replace', path: p('displayName'), value: 'New' }]],
    ['readOnly, unknown and schemas keys in a no-path value, dropped', 'User', patchBody([{ op: 'replace', value: { id: 'u', meta: {}, groups: [], schemas: [], colour: 'x', 'urn:x:y:User:z': 1 } }]), []],
    ['the enterprise URN in a Group no-path value, dropped', 'Group', patchBody([{ op: 'replace', value: { [ENT]: { department: 'x' } } }]), []],
    ['a null path as no path', 'User', patchBody([{ op: 'replace', path: null, value: { title: 'x' } }]), [{ op: 'replace', path: p('title'), value: 'x' }]],
    ['an Entra member remove with a value list', 'Group', patchBody([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }]), [{ op: 'remove', path: p('members'), value: [{ value: 'u1' }] }]],
    ['a remove with a null value, as no value', 'Group', patchBody([{ op: 'remove', path: 'members', value: null }]), [{ op: 'remove', path: p('members') }]],
    ['an add with a null value, kept', 'User', patchBody([{ op: 'add', path: 'title', value: null }]), [{ op: 'add', path: p('title'), value: null }]],
    ['extra schemas next to PatchOp', 'User', { schemas: ['urn:example:x', SCHEMA_PATCH_OP], Operations: [{ op: 'remove', path: 'title' }] }, [{ op: 'remove', path: p('title') }]],
  ];
  it.each(cases)('%s', (_name, resource, body, expected) => {
    expect(parsePatchRequest(body, { resource })).toStrictEqual(expected);
  });

  it('accepts exactly maxOperations operations', () => {
    const ops = Array.from({ length: DEFAULT_MAX_PATCH_OPERATIONS }, () => ({ op: 'remove', path: 'members[value eq "a"]' }));
    expect(parsePatchRequest(patchBody(ops), { resource: 'Group' })).toHaveLength(DEFAULT_MAX_PATCH_OPERATIONS);
  });

  it('does not mutate the body', () => {
    const body = patchBody([{ op: 'Replace', value: { id: 'x', displayName: 'D' } }]);
    const before = structuredClone(body);
    parsePatchRequest(body, { resource: 'Group' });
    expect(body).toStrictEqual(before);
  });
});

describe('parsePatchRequest rejects', () => {
  const cases: [string, unknown, string, number?][] = [
    ['a non-object body with invalidSyntax', [], 'invalidSyntax'],
    ['a null body with invalidSyntax', null, 'invalidSyntax'],
    ['missing schemas with invalidValue', { Operations: [{ op: 'remove', path: 'title' }] }, 'invalidValue'],
    ['schemas without PatchOp with invalidValue', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'remove', path: 'title' }] }, 'invalidValue'],
    ['a string schemas with invalidValue', { schemas: SCHEMA_PATCH_OP, Operations: [{ op: 'remove', path: 'title' }] }, 'invalidValue'],
    ['missing Operations with invalidSyntax', { schemas: [SCHEMA_PATCH_OP] }, 'invalidSyntax'],
    ['empty Operations with invalidSyntax', patchBody([]), 'invalidSyntax'],
    ['an object Operations with invalidSyntax', { schemas: [SCHEMA_PATCH_OP], Operations: { op: 'remove' } }, 'invalidSyntax'],
    ['more than maxOperations with tooMany', patchBody(Array.from({ length: 3 }, () => ({ op: 'remove', path: 'title' }))), 'tooMany', 2],
    ['a non-object operation with invalidSyntax', patchBody(['remove']), 'invalidSyntax'],
    ['an unknown op with invalidSyntax', patchBody([{ op: 'move', path: 'title', value: 'x' }]), 'invalidSyntax'],
    ['a missing op with invalidSyntax', patchBody([{ path: 'title', value: 'x' }]), 'invalidSyntax'],
    ['a non-string op with invalidSyntax', patchBody([{ op: 1, path: 'title', value: 'x' }]), 'invalidSyntax'],
    ['remove without a path with noTarget', patchBody([{ op: 'remove' }]), 'noTarget'],
    ['Entra Remove without a path with noTarget', patchBody([{ op: 'Remove', value: [{ value: 'u' }] }]), 'noTarget'],
    ['add without a value with invalidSyntax', patchBody([{ op: 'add', path: 'title' }]), 'invalidSyntax'],
    ['replace without a value with invalidSyntax', patchBody([{ op: 'replace' }]), 'invalidSyntax'],
    ['a no-path non-object value with invalidSyntax', patchBody([{ op: 'replace', value: 'x' }]), 'invalidSyntax'],
    ['a no-path array value with invalidSyntax', patchBody([{ op: 'add', value: [{ active: true }] }]), 'invalidSyntax'],
    ['a malformed path with invalidPath', patchBody([{ op: 'remove', path: 'emails[type eq' }]), 'invalidPath'],
    ['an empty path with invalidPath', patchBody([{ op: 'remove', path: '' }]), 'invalidPath'],
    ['a non-string path with invalidPath', patchBody([{ op: 'remove', path: 5 }]), 'invalidPath'],
    ['a malformed no-path key with invalidPath', patchBody([{ op: 'replace', value: { 'a b': 1 } }]), 'invalidPath'],
  ];
  // Rows are passed whole: a fourth callback parameter would make jest wait for a `done` callback.
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_name, [, body, scimType, maxOperations]) => {
    const opts = maxOperations === undefined ? { resource: 'User' as const } : { resource: 'User' as const, maxOperations };
    expect(scimErrorOf(() => parsePatchRequest(body, opts)).scimType).toBe(scimType);
  });

  it('rejects 1,001 operations by default with tooMany', () => {
    const ops = Array.from({ length: DEFAULT_MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'remove', path: 'title' }));
    expect(scimErrorOf(() => parsePatchRequest(patchBody(ops), { resource: 'User' })).scimType).toBe('tooMany');
  });
});

describe('parsePatchRequest properties', () => {
  it('never throws anything but ScimError on random JSON', () => {
    const operation = fc.dictionary(fc.constantFrom('op', 'path', 'value', 'Op', 'PATH'), fc.jsonValue({ maxDepth: 3 }));
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.array(operation, { maxLength: 4 }).map(patchBody),
      fc.array(fc.record({ op: fc.constantFrom('add', 'replace'), value: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })) }), { maxLength: 3 }).map(patchBody),
    );
    fc.assert(
      fc.property(body, fc.constantFrom<'User' | 'Group'>('User', 'Group'), (b, resource) => {
        try {
          parsePatchRequest(b, { resource });
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
