import {
  EVENT_TYPES,
  TOMBSTONED,
  VersionGapError,
  applyAllToView,
  applyToView,
  buildIdentityEvent,
  emptyTenantView,
  memberStateKey,
  stateKey,
  toStateMessage,
  viewFromState,
  type IdentityEvent,
  type TenantView,
  type UserSnapshot,
} from './index';

const tenant = '3f1c0b6e-2f4d-4c61-9a0e-6a1f7a3c2b10';
const u1 = '0b7e2c1a-9d3f-4e5b-8a6c-1f2e3d4c5b6a';
const u2 = 'c8d9e0f1-a2b3-4c4d-8e5f-6a7b8c9d0e1f';
const g1 = '7d2f4a90-1c3e-4b5d-9e8f-a0b1c2d3e4f5';
const causationId = 'c2d5f8a1-3b4c-4d5e-9f60-718293a4b5c6';
const time = '2026-11-29T20:00:00.000Z';

const user = (id: string, extra: Partial<UserSnapshot> = {}): UserSnapshot => ({ id, userName: `${id.slice(0, 4)}@example.com`, active: true, ...extra });
const userEvent = (
  type: typeof EVENT_TYPES.userCreated | typeof EVENT_TYPES.userUpdated | typeof EVENT_TYPES.userDeactivated,
  id: string,
  version: number,
  extra: Partial<UserSnapshot> = {},
): IdentityEvent => {
  const u = user(id, extra);
  const common = { tenantId: tenant, resourceType: 'User' as const, resourceId: id, version, time, causationId };
  if (type === EVENT_TYPES.userCreated) return buildIdentityEvent({ ...common, type, data: { user: u } });
  return buildIdentityEvent({ ...common, type, data: { user: u, changedAttributes: type === EVENT_TYPES.userDeactivated ? ['active'] : Object.keys(extra) } });
};
const userDeleted = (id: string, version: number) =>
  buildIdentityEvent({ type: EVENT_TYPES.userDeleted, tenantId: tenant, resourceType: 'User', resourceId: id, version, time, causationId, data: { id, userName: 'x@example.com' } });
const groupCommon = (version: number) => ({ tenantId: tenant, resourceType: 'Group' as const, resourceId: g1, version, time, causationId });
const groupPushed = (version: number, members: string[], displayName = 'Ops') =>
  buildIdentityEvent({ ...groupCommon(version), type: EVENT_TYPES.groupPushed, data: { group: { id: g1, displayName }, mode: version === 1 ? 'created' : 'replaced', members: members.map((value) => ({ value, type: 'User' as const })) } });
const groupUpdated = (version: number, added: string[], removed: string[], displayName = 'Ops') =>
  buildIdentityEvent({
    ...groupCommon(version),
    type: EVENT_TYPES.groupUpdated,
    data: { group: { id: g1, displayName }, changedAttributes: ['members'], membersAdded: added.map((value) => ({ value, type: 'User' as const })), membersRemoved: removed },
  });
const groupDeleted = (version: number) => buildIdentityEvent({ ...groupCommon(version), type: EVENT_TYPES.groupDeleted, data: { id: g1, displayName: 'Ops' } });

const members = (view: TenantView) => [...(view.groups.get(g1)?.members ?? [])].sort();

describe('applyToView', () => {
  it('folds the lifecycle of a user and a group', () => {
    const view = applyAllToView(emptyTenantView(), [
      userEvent(EVENT_TYPES.userCreated, u1, 1),
      userEvent(EVENT_TYPES.userCreated, u2, 1),
      groupPushed(1, [u1]),
      groupUpdated(2, [u2], [u1], 'Operations'),
      userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'Analyst' }),
      userEvent(EVENT_TYPES.userDeactivated, u2, 2, { active: false }),
    ]);
    expect(view.users.get(u1)).toMatchObject({ title: 'Analyst', version: 2 });
    expect(view.users.get(u2)).toMatchObject({ active: false, version: 2 });
    expect(view.groups.get(g1)).toMatchObject({ displayName: 'Operations', version: 2 });
    expect(members(view)).toEqual([u2]);
  });

  it('does not change the view it is given', () => {
    const before = applyToView(emptyTenantView(), userEvent(EVENT_TYPES.userCreated, u1, 1));
    const after = applyToView(before, userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'x' }));
    expect(before.users.get(u1)?.version).toBe(1);
    expect(after.users.get(u1)?.version).toBe(2);
    const withGroup = applyToView(after, groupPushed(1, [u1]));
    const withoutU1 = applyToView(withGroup, userDeleted(u1, 3));
    expect(members(withGroup)).toEqual([u1]);
    expect(members(withoutU1)).toEqual([]);
  });

  const redeliveries: [string, IdentityEvent[]][] = [
    ['the same event twice', [userEvent(EVENT_TYPES.userCreated, u1, 1), userEvent(EVENT_TYPES.userCreated, u1, 1)]],
    ['an older version after a newer one', [userEvent(EVENT_TYPES.userCreated, u1, 1), userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'new' }), userEvent(EVENT_TYPES.userCreated, u1, 1)]],
    ['an update of a user after its deletion', [userEvent(EVENT_TYPES.userCreated, u1, 1), userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 't' }), userDeleted(u1, 3), userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 't' })]],
    ['a member delta twice', [groupPushed(1, [u1]), groupUpdated(2, [u2], []), groupUpdated(2, [u2], [])]],
  ];
  it.each(redeliveries)('ignores %s (effectively once)', (_, events) => {
    const once = applyAllToView(emptyTenantView(), [...new Map(events.map((e) => [e.id, e])).values()]);
    const redelivered = events.reduce((view, e) => applyToView(view, e), emptyTenantView());
    expect(redelivered).toEqual(once);
  });

  it('returns the same view object for an ignored event', () => {
    const view = applyToView(emptyTenantView(), userEvent(EVENT_TYPES.userCreated, u1, 1));
    expect(applyToView(view, userEvent(EVENT_TYPES.userCreated, u1, 1))).toBe(view);
  });

  it('keeps a deleted resource deleted when an old event is redelivered', () => {
    const view = applyAllToView(emptyTenantView(), [userEvent(EVENT_TYPES.userCreated, u1, 1), userDeleted(u1, 2), userEvent(EVENT_TYPES.userCreated, u1, 1)]);
    expect(view.users.has(u1)).toBe(false);
    expect(view.deleted.get(stateKey('User', u1))).toBe(2);
  });

  it.each([
    ['a user first seen at version 2', emptyTenantView(), userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'x' }), 0],
    ['a user version skipped', applyToView(emptyTenantView(), userEvent(EVENT_TYPES.userCreated, u1, 1)), userEvent(EVENT_TYPES.userUpdated, u1, 3, { title: 'x' }), 1],
    ['a group delta without its base', emptyTenantView(), groupUpdated(2, [u1], []), 0],
  ])('throws VersionGapError on %s', (_, view, event, stored) => {
    expect(() => applyToView(view, event)).toThrow(VersionGapError);
    try {
      applyToView(view, event);
    } catch (error) {
      expect(error).toMatchObject({ resourceId: event.subject, storedVersion: stored, eventVersion: event.resourceversion, eventId: event.id });
    }
  });

  it('removes a deleted group from the groups it was a member of', () => {
    const outer = 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7';
    const outerPushed = buildIdentityEvent({
      type: EVENT_TYPES.groupPushed, tenantId: tenant, resourceType: 'Group', resourceId: outer, version: 1, time, causationId,
      data: { group: { id: outer, displayName: 'Outer' }, mode: 'created', members: [{ value: g1, type: 'Group' }] },
    });
    const view = applyAllToView(emptyTenantView(), [groupPushed(1, []), outerPushed, groupDeleted(2)]);
    expect(view.groups.get(outer)?.members.size).toBe(0);
    expect(view.groups.has(g1)).toBe(false);
  });
});

describe('bootstrap: viewFromState, then a catch-up replay', () => {
  const userState = (id: string, version: number, extra: Partial<UserSnapshot> = {}) =>
    toStateMessage({ tenantid: tenant, resourcetype: 'User', id, version, lastEventId: causationId, user: user(id, extra) });
  const groupState = (version: number) => toStateMessage({ tenantid: tenant, resourcetype: 'Group', id: g1, version, lastEventId: causationId, group: { id: g1, displayName: 'Ops' } });
  const memberState = (value: string) => toStateMessage({ tenantid: tenant, resourcetype: 'Member', groupId: g1, value, type: 'User' });
  const tombstone = (key: string) => ({ key, value: null });

  it('builds one tenant from the latest record per key, joining members in any order', () => {
    const other = toStateMessage({ tenantid: '00000000-0000-4000-8000-000000000001', resourcetype: 'User', id: u2, version: 1, lastEventId: causationId, user: user(u2) });
    const view = viewFromState(tenant, [
      memberState(u1),
      userState(u1, 1),
      other,
      groupState(3),
      userState(u1, 2, { title: 'Analyst' }),
      memberState(u2),
      tombstone(memberStateKey(g1, u2)),
      { key: 'Device:1', value: '{}' },
    ]);
    expect(view.users.get(u1)).toMatchObject({ title: 'Analyst', version: 2 });
    expect(view.users.has(u2)).toBe(false);
    expect(view.groups.get(g1)?.version).toBe(3);
    expect(members(view)).toEqual([u1]);
  });

  it('remembers a tombstoned resource as deleted, so its old events are skipped', () => {
    const view = viewFromState(tenant, [userState(u1, 1), tombstone(stateKey('User', u1))]);
    expect(view.deleted.get(stateKey('User', u1))).toBe(TOMBSTONED);
    expect(applyToView(view, userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'x' }))).toBe(view);
  });

  it('converges membership when the snapshot caught the group record ahead of its member records', () => {
    // Events: pushed v1 [u1], updated v2 +u2, updated v3 -u1. The snapshot has the group at v3 but the
    // member records only as of v1 (other partitions not yet written when it was read).
    const events = [groupPushed(1, [u1]), groupUpdated(2, [u2], []), groupUpdated(3, [], [u1])];
    const snapshot = viewFromState(tenant, [groupState(3), memberState(u1)]);
    expect(members(applyAllToView(snapshot, events))).toEqual([u1]);
    expect(members(applyAllToView(snapshot, events, { catchUp: true }))).toEqual([u2]);
  });

  it('takes a resource deleted since the snapshot from its first whole event, and its deletion from the replay', () => {
    // u1 was created before the replay window (v1 trimmed), updated at v2, deleted at v3; its tombstone was
    // compacted away, so the snapshot does not know it.
    const replay = [userEvent(EVENT_TYPES.userUpdated, u1, 2, { title: 'x' }), groupUpdated(2, [u1], []), userDeleted(u1, 3)];
    expect(() => applyAllToView(emptyTenantView(), replay)).toThrow(VersionGapError);
    const view = applyAllToView(emptyTenantView(), replay, { catchUp: true });
    expect(view.users.has(u1)).toBe(false);
    expect(view.groups.has(g1)).toBe(false);
    expect(view.deleted.get(stateKey('User', u1))).toBe(3);
  });

  it('re-applies a deletion in the replay to memberships the snapshot still had', () => {
    const snapshot = viewFromState(tenant, [groupState(2), memberState(u1), tombstone(stateKey('User', u1))]);
    const view = applyAllToView(snapshot, [groupUpdated(2, [u1], []), userDeleted(u1, 2)], { catchUp: true });
    expect(members(view)).toEqual([]);
  });

  it('still reports a gap in catch-up for a resource the snapshot knows', () => {
    const snapshot = viewFromState(tenant, [userState(u1, 1)]);
    expect(() => applyToView(snapshot, userEvent(EVENT_TYPES.userUpdated, u1, 3, { title: 'x' }), { catchUp: true })).toThrow(VersionGapError);
  });
});
