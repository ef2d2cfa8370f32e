import fc from 'fast-check';
import { ScimError, type GroupMember } from '@taskize/scim-core';
import { parsePatchRequest, type PatchOp } from './parse';
import { applyMemberPlan, planGroupPatch, type GroupPatchPlan } from './plan-group';
import { patchBody, scimErrorOf } from './test-helpers';

function plan(operations: unknown[]): GroupPatchPlan {
  return planGroupPatch(parsePatchRequest(patchBody(operations), { resource: 'Group' }));
}

const none = { add: [], remove: [] };

describe('planGroupPatch plans', () => {
  const rows: [string, unknown[], GroupPatchPlan][] = [
    ['an Okta rename carrying the readOnly id, without touching members', [{ op: 'replace', value: { id: 'g1', displayName: 'New' } }], { displayName: 'New', members: none, changed: ['displayName'] }],
    ['an Entra rename by path', [{ op: 'Replace', path: 'displayName', value: 'New' }], { displayName: 'New', members: none, changed: ['displayName'] }],
    ['the last of several renames', [{ op: 'replace', path: 'displayName', value: 'A' }, { op: 'add', path: 'DISPLAYNAME', value: 'B' }], { displayName: 'B', members: none, changed: ['displayName'] }],
    ['an externalId replace', [{ op: 'replace', path: 'externalId', value: 'ext-1' }], { externalId: 'ext-1', members: none, changed: ['externalId'] }],
    ['an externalId remove as null', [{ op: 'remove', path: 'externalId' }], { externalId: null, members: none, changed: ['externalId'] }],
    ['an externalId replace with null as null', [{ op: 'replace', path: 'externalId', value: null }], { externalId: null, members: none, changed: ['externalId'] }],
    ['an Okta member add with display', [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'a@b.c' }] }], { members: { add: [{ value: 'u1', display: 'a@b.c' }], remove: [] }, changed: ['members'] }],
    ['an Entra member add with "$ref": null, several in one op', [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { $ref: null, value: 'u2' }] }], { members: { add: [{ value: 'u1' }, { value: 'u2' }], remove: [] }, changed: ['members'] }],
    ['a member add with a canonicalised type', [{ op: 'add', path: 'members', value: [{ value: 'g2', type: 'group' }] }], { members: { add: [{ value: 'g2', type: 'Group' }], remove: [] }, changed: ['members'] }],
    ['a member add as a single object', [{ op: 'add', path: 'members', value: { value: 'u1' } }], { members: { add: [{ value: 'u1' }], remove: [] }, changed: ['members'] }],
    ['duplicate adds, collapsed (the last details win)', [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u1', display: 'x' }] }], { members: { add: [{ value: 'u1', display: 'x' }], remove: [] }, changed: ['members'] }],
    ['an Okta member remove by value filter', [{ op: 'remove', path: 'members[value eq "u1"]' }], { members: { add: [], remove: ['u1'] }, changed: ['members'] }],
    ['a member remove by an or-filter', [{ op: 'remove', path: 'members[value eq "a" or value eq "b" or VALUE eq "c"]' }], { members: { add: [], remove: ['a', 'b', 'c'] }, changed: ['members'] }],
    ['an Entra member remove with a value list, removing only those', [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { $ref: null, value: 'u2' }] }], { members: { add: [], remove: ['u1', 'u2'] }, changed: ['members'] }],
    ['a member remove with an empty value list, removing nothing', [{ op: 'remove', path: 'members', value: [] }], { members: none, changed: [] }],
    ['a member remove without a value, clearing the group', [{ op: 'remove', path: 'members' }], { members: { replaceAll: [], add: [], remove: [] }, changed: ['members'] }],
    ['an Okta replace of the full member list', [{ op: 'replace', path: 'members', value: [{ value: 'u1', display: 'a' }, { value: 'u2', display: 'b' }] }], { members: { replaceAll: [{ value: 'u1', display: 'a' }, { value: 'u2', display: 'b' }], add: [], remove: [] }, changed: ['members'] }],
    ['a replace of members with null, clearing the group', [{ op: 'replace', path: 'members', value: null }], { members: { replaceAll: [], add: [], remove: [] }, changed: ['members'] }],
    ['a no-path replace with members, as replaceAll', [{ op: 'replace', value: { members: [{ value: 'u1' }] } }], { members: { replaceAll: [{ value: 'u1' }], add: [], remove: [] }, changed: ['members'] }],
    ['a no-path replace with displayName and members', [{ op: 'replace', value: { displayName: 'D', members: [] } }], { displayName: 'D', members: { replaceAll: [], add: [], remove: [] }, changed: ['displayName', 'members'] }],
    ['an add after a remove of the same member, cancelling the remove', [{ op: 'remove', path: 'members[value eq "u1"]' }, { op: 'add', path: 'members', value: [{ value: 'u1' }] }], { members: { add: [{ value: 'u1' }], remove: [] }, changed: ['members'] }],
    ['a remove after an add of the same member, cancelling the add', [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'remove', path: 'members[value eq "u1"]' }], { members: { add: [], remove: ['u1'] }, changed: ['members'] }],
    ['adds and removes folded into an earlier replaceAll', [{ op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }, { op: 'add', path: 'members', value: [{ value: 'c' }] }, { op: 'remove', path: 'members[value eq "a"]' }], { members: { replaceAll: [{ value: 'b' }, { value: 'c' }], add: [], remove: [] }, changed: ['members'] }],
    ['a replaceAll discarding earlier adds and removes', [{ op: 'add', path: 'members', value: [{ value: 'c' }] }, { op: 'remove', path: 'members[value eq "a"]' }, { op: 'replace', path: 'members', value: [{ value: 'b' }] }], { members: { replaceAll: [{ value: 'b' }], add: [], remove: [] }, changed: ['members'] }],
    ['a clear followed by adds', [{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: 'x' }] }], { members: { replaceAll: [{ value: 'x' }], add: [], remove: [] }, changed: ['members'] }],
    ['a core-URN-qualified path', [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName', value: 'U' }], { displayName: 'U', members: none, changed: ['displayName'] }],
    ['unknown and readOnly keys in a no-path value, dropped', [{ op: 'replace', value: { id: 'g', meta: {}, schemas: [], foo: 1, displayName: 'X' } }], { displayName: 'X', members: none, changed: ['displayName'] }],
    ['an add of null members, adding nothing', [{ op: 'add', path: 'members', value: null }], { members: none, changed: [] }],
    ['an add of an empty list, adding nothing', [{ op: 'add', path: 'members', value: [] }], { members: none, changed: [] }],
  ];
  it.each(rows)('%s', (_name, ops, expected) => {
    expect(plan(ops)).toStrictEqual(expected);
  });
});

describe('planGroupPatch rejects', () => {
  const cases: [string, unknown[], string][] = [
    ['a member filter on display with invalidFilter', [{ op: 'remove', path: 'members[display eq "x"]' }], 'invalidFilter'],
    ['a member filter with and with invalidFilter', [{ op: 'remove', path: 'members[value eq "a" and value eq "b"]' }], 'invalidFilter'],
    ['a member filter with ne with invalidFilter', [{ op: 'remove', path: 'members[value ne "a"]' }], 'invalidFilter'],
    ['a member filter with not with invalidFilter', [{ op: 'remove', path: 'members[not (value eq "a")]' }], 'invalidFilter'],
    ['a member filter on a number with invalidFilter', [{ op: 'remove', path: 'members[value eq 1]' }], 'invalidFilter'],
    ['a member filter with or mixing display with invalidFilter', [{ op: 'remove', path: 'members[value eq "a" or display eq "b"]' }], 'invalidFilter'],
    ['a member filter on add with invalidPath', [{ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'a' }] }], 'invalidPath'],
    ['a member sub-attribute path with mutability', [{ op: 'replace', path: 'members[value eq "a"].display', value: 'x' }], 'mutability'],
    ['a member with an empty value with invalidValue', [{ op: 'add', path: 'members', value: [{ value: '' }] }], 'invalidValue'],
    ['a member without a value with invalidValue', [{ op: 'add', path: 'members', value: [{ display: 'x' }] }], 'invalidValue'],
    ['a member value over 64 characters with invalidValue', [{ op: 'add', path: 'members', value: [{ value: 'x'.repeat(65) }] }], 'invalidValue'],
    ['a filter value over 64 characters with invalidValue', [{ op: 'remove', path: `members[value eq "${'x'.repeat(65)}"]` }], 'invalidValue'],
    ['a filter value "" with invalidValue', [{ op: 'remove', path: 'members[value eq ""]' }], 'invalidValue'],
    ['a member type other than User/Group with invalidValue', [{ op: 'add', path: 'members', value: [{ value: 'a', type: 'Device' }] }], 'invalidValue'],
    ['a non-array member value with invalidValue', [{ op: 'add', path: 'members', value: 'u1' }], 'invalidValue'],
    ['a non-array remove value with invalidValue', [{ op: 'remove', path: 'members', value: 'u1' }], 'invalidValue'],
    ['an empty displayName with invalidValue', [{ op: 'replace', path: 'displayName', value: '' }], 'invalidValue'],
    ['a blank displayName with invalidValue', [{ op: 'replace', value: { displayName: '   ' } }], 'invalidValue'],
    ['a displayName over 255 characters with invalidValue', [{ op: 'replace', path: 'displayName', value: 'x'.repeat(256) }], 'invalidValue'],
    ['a non-string displayName with invalidValue', [{ op: 'replace', path: 'displayName', value: 7 }], 'invalidValue'],
    ['removing displayName with invalidValue', [{ op: 'remove', path: 'displayName' }], 'invalidValue'],
    ['a non-string externalId with invalidValue', [{ op: 'replace', path: 'externalId', value: 7 }], 'invalidValue'],
    ['a readOnly id path with mutability', [{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
    ['a readOnly meta path with mutability', [{ op: 'replace', path: 'meta.version', value: 'x' }], 'mutability'],
    ['an unknown attribute with invalidPath', [{ op: 'replace', path: 'description', value: 'x' }], 'invalidPath'],
    ['a User attribute with invalidPath', [{ op: 'replace', path: 'userName', value: 'x' }], 'invalidPath'],
    ['the enterprise extension with invalidPath', [{ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'x' }], 'invalidPath'],
    ['a filter on displayName with invalidPath', [{ op: 'remove', path: 'displayName[value eq "x"]' }], 'invalidPath'],
  ];
  it.each(cases)('%s', (_name, ops, scimType) => {
    expect(scimErrorOf(() => plan(ops)).scimType).toBe(scimType);
  });

  it('rejects a hand-built remove without a path with noTarget', () => {
    expect(scimErrorOf(() => planGroupPatch([{ op: 'remove' }])).scimType).toBe('noTarget');
  });
});

describe('planGroupPatch at Okta batch sizes', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  it('plans 1,000 member adds in one op', () => {
    const result = plan([{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]);
    expect(result.members.add.map((m) => m.value)).toStrictEqual(ids);
  });

  it('plans 1,000 single-member remove ops', () => {
    const body = patchBody(ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })));
    const result = planGroupPatch(parsePatchRequest(body, { resource: 'Group' }));
    expect(result.members.remove).toStrictEqual(ids);
  });

  it('plans interleaved adds and removes of 1,000 members', () => {
    const ops = ids.flatMap((id, i) => (i % 2 === 0 ? [{ op: 'add', path: 'members', value: [{ value: id }] }] : [{ op: 'remove', path: `members[value eq "${id}"]` }]));
    const result = plan(ops);
    expect(result.members.add).toHaveLength(500);
    expect(result.members.remove).toHaveLength(500);
  });
});

describe('applyMemberPlan', () => {
  it('removes, then adds members not yet present, keeping existing details', () => {
    const current: GroupMember[] = [{ value: 'a', display: 'A' }, { value: 'b' }];
    expect(applyMemberPlan(current, { add: [{ value: 'a' }, { value: 'c' }], remove: ['b'] })).toStrictEqual([{ value: 'a', display: 'A' }, { value: 'c' }]);
  });

  it('returns replaceAll when set', () => {
    expect(applyMemberPlan([{ value: 'a' }], { replaceAll: [{ value: 'z' }], add: [], remove: [] })).toStrictEqual([{ value: 'z' }]);
  });
});

describe('planGroupPatch properties', () => {
  type Step = { kind: 'add' | 'remove'; ids: string[] } | { kind: 'replace'; ids: string[] } | { kind: 'clear' };
  const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom<'add' | 'remove'>('add', 'remove'), ids: fc.array(id, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant<'replace'>('replace'), ids: fc.array(id, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'clear' }) },
  );

  /** The reference: a plain set, changed one op at a time. */
  function simulate(initial: readonly string[], steps: readonly Step[]): string[] {
    let set = new Set(initial);
    for (const s of steps) {
      if (s.kind === 'clear') set = new Set();
      else if (s.kind === 'replace') set = new Set(s.ids);
      else if (s.kind === 'add') s.ids.forEach((v) => set.add(v));
      else s.ids.forEach((v) => set.delete(v));
    }
    return [...set].sort();
  }

  /** Each step as a client could send it, in one of the dialects. */
  function toOps(s: Step, dialect: number): unknown[] {
    switch (s.kind) {
      case 'clear':
        return [{ op: 'remove', path: 'members' }];
      case 'replace':
        return [dialect % 2 === 0 ? { op: 'replace', path: 'members', value: s.ids.map((value) => ({ value })) } : { op: 'Replace', value: { members: s.ids.map((value) => ({ value })) } }];
      case 'add':
        return dialect % 2 === 0
          ? [{ op: 'add', path: 'members', value: s.ids.map((value) => ({ value, display: value.toUpperCase() })) }]
          : s.ids.map((value) => ({ op: 'Add', path: 'members', value: [{ $ref: null, value }] }));
      case 'remove':
        if (s.ids.length === 0) return [];
        if (dialect % 3 === 0) return [{ op: 'Remove', path: 'members', value: s.ids.map((value) => ({ value })) }];
        if (dialect % 3 === 1) return s.ids.map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` }));
        return [{ op: 'remove', path: `members[${s.ids.map((v) => `value eq "${v}"`).join(' or ')}]` }];
    }
  }

  const members = (ids: readonly string[]): GroupMember[] => ids.map((value) => ({ value }));

  it('applying the plan to any member set equals applying the ops one by one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(id), fc.array(step, { minLength: 1, maxLength: 12 }), fc.nat(), (initial, steps, dialect) => {
        const operations = steps.flatMap((s, i) => toOps(s, dialect + i));
        fc.pre(operations.length > 0);
        const result = plan(operations);
        expect(applyMemberPlan(members(initial), result.members).map((m) => m.value).sort()).toStrictEqual(simulate(initial, steps));
        expect(result.members.add.map((m) => m.value).filter((v) => result.members.remove.includes(v))).toStrictEqual([]);
        if (result.members.replaceAll !== undefined) expect(result.members).toMatchObject({ add: [], remove: [] });
      }),
      { numRuns: 1000 },
    );
  });

  it('is independent of how member changes are split across ops', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), fc.nat(), fc.nat(), (steps, d1, d2) => {
        const a = steps.flatMap((s, i) => toOps(s, d1 + i));
        const b = steps.flatMap((s, i) => toOps(s, d2 + i));
        fc.pre(a.length > 0 && b.length > 0);
        const norm = (p: GroupPatchPlan) => ({
          replaceAll: p.members.replaceAll?.map((m) => m.value).sort(),
          add: p.members.add.map((m) => m.value).sort(),
          remove: [...p.members.remove].sort(),
        });
        expect(norm(plan(a))).toStrictEqual(norm(plan(b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but ScimError on random operations', () => {
    const path = fc.oneof(fc.constantFrom('members', 'members[value eq "a"]', 'members[display eq "a"]', 'displayName', 'externalId', 'id', 'members.value', 'x'), fc.string());
    const operation = fc.record({ op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'Remove'), fc.string()), path, value: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(fc.array(operation, { minLength: 1, maxLength: 5 }).map(patchBody), fc.jsonValue({ maxDepth: 3 })), (body) => {
        try {
          planGroupPatch(parsePatchRequest(body, { resource: 'Group' }));
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('plans hand-built no-path ops like parsed ones', () => {
    const ops: PatchOp[] = [{ op: 'replace', value: { id: 'g', displayName: 'D' } }];
    expect(planGroupPatch(ops)).toStrictEqual({ displayName: 'D', members: none, changed: ['displayName'] });
  });
});
