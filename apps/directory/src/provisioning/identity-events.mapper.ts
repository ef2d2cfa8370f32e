import {
  EVENT_TYPES,
  changedUserAttributes,
  identityEventId,
  memberStateKey,
  stateKey,
  toEventMembers,
  userChangeEventType,
  type GroupSnapshot,
  type IdentityEventType,
  type MemberState,
  type ResourceState,
  type UserSnapshot,
} from '@taskize/identity-events';
import type { GroupMember, StoredGroup, StoredUser } from '@taskize/scim-core';
import type { OutboxEntry, StateRecord } from '../outbox/outbox.writer';

/** What one applied provisioning event changed, as the stores report it. */
export type Change =
  | { kind: 'userCreated'; user: StoredUser }
  | { kind: 'userUpdated'; before: StoredUser; after: StoredUser }
  | { kind: 'userDeleted'; before: StoredUser; groups: string[] }
  | { kind: 'groupCreated'; group: StoredGroup }
  | { kind: 'groupReplaced' | 'groupUpdated'; before: StoredGroup; after: StoredGroup; added: GroupMember[]; removed: string[] }
  | { kind: 'groupDeleted'; before: StoredGroup; members: string[] };

interface Context {
  tenantId: string;
  causationId: string;
  traceparent?: string;
}

const userSnapshot = (u: StoredUser): UserSnapshot => ({ id: u.id, ...(u.accountId ? { taskizeAccountId: u.accountId } : {}), ...u.attributes });
const groupSnapshot = (g: StoredGroup): GroupSnapshot => ({ id: g.id, displayName: g.displayName, ...(g.externalId ? { externalId: g.externalId } : {}) });

function state(ctx: Context, resourceType: 'User' | 'Group', id: string, version: number, body: Pick<ResourceState, 'user' | 'group'>): StateRecord {
  const value: ResourceState = { tenantid: ctx.tenantId, resourcetype: resourceType, id, version, lastEventId: identityEventId(ctx.tenantId, resourceType, id, version), ...body };
  return { key: stateKey(resourceType, id), value: { ...value } };
}

const memberKey = memberStateKey;
const memberState = (ctx: Context, groupId: string, m: GroupMember): StateRecord => {
  const [member] = toEventMembers([m]);
  const value: MemberState = { tenantid: ctx.tenantId, resourcetype: 'Member', groupId, value: m.value, type: member?.type ?? 'User' };
  return { key: memberKey(groupId, m.value), value: { ...value } };
};
const tombstone = (key: string): StateRecord => ({ key, value: null });

/**
 * The identity event and state records for one change (none when nothing changed). Group membership
 * state is one compacted record per member, so a member change costs state records in proportion to
 * the change, never to the group's size.
 */
export function identityEventsFor(change: Change, ctx: Context): OutboxEntry<IdentityEventType>[] {
  const base = { tenantId: ctx.tenantId, causationId: ctx.causationId, ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}) };
  switch (change.kind) {
    case 'userCreated': {
      const u = change.user;
      return [{ ...base, type: EVENT_TYPES.userCreated, resourceType: 'User', resourceId: u.id, version: u.version, data: { user: userSnapshot(u) }, state: [state(ctx, 'User', u.id, u.version, { user: userSnapshot(u) })] }];
    }
    case 'userUpdated': {
      const { before, after } = change;
      if (after.version === before.version) return [];
      // A link to a Taskize account (AccountLinked) is a change of the user too, though not of its SCIM attributes.
      const changedAttributes = [...changedUserAttributes(before.attributes, after.attributes), ...(before.accountId !== after.accountId ? ['taskizeAccountId'] : [])].sort();
      const type = userChangeEventType(before.attributes, after.attributes);
      return [
        { ...base, type, resourceType: 'User', resourceId: after.id, version: after.version, data: { user: userSnapshot(after), changedAttributes }, state: [state(ctx, 'User', after.id, after.version, { user: userSnapshot(after) })] },
      ];
    }
    case 'userDeleted': {
      const { before, groups } = change;
      return [
        {
          ...base,
          type: EVENT_TYPES.userDeleted,
          resourceType: 'User',
          resourceId: before.id,
          version: before.version + 1,
          data: { id: before.id, userName: before.attributes.userName, ...(before.accountId ? { taskizeAccountId: before.accountId } : {}) },
          state: [tombstone(stateKey('User', before.id)), ...groups.map((g) => tombstone(memberKey(g, before.id)))],
        },
      ];
    }
    case 'groupCreated': {
      const g = change.group;
      const members = toEventMembers(g.members);
      return [
        {
          ...base,
          type: EVENT_TYPES.groupPushed,
          resourceType: 'Group',
          resourceId: g.id,
          version: g.version,
          data: { group: groupSnapshot(g), mode: 'created', members },
          state: [state(ctx, 'Group', g.id, g.version, { group: groupSnapshot(g) }), ...members.map((m) => memberState(ctx, g.id, m))],
        },
      ];
    }
    case 'groupReplaced':
    case 'groupUpdated': {
      const { before, after, added, removed } = change;
      if (after.version === before.version) return [];
      const stateRecords = [
        state(ctx, 'Group', after.id, after.version, { group: groupSnapshot(after) }),
        ...added.map((m) => memberState(ctx, after.id, m)),
        ...removed.map((id) => tombstone(memberKey(after.id, id))),
      ];
      if (change.kind === 'groupReplaced') {
        return [
          { ...base, type: EVENT_TYPES.groupPushed, resourceType: 'Group', resourceId: after.id, version: after.version, data: { group: groupSnapshot(after), mode: 'replaced', members: toEventMembers(after.members) }, state: stateRecords },
        ];
      }
      const changedAttributes = [
        ...(after.displayName !== before.displayName ? ['displayName'] : []),
        ...(after.externalId !== before.externalId ? ['externalId'] : []),
        ...(added.length || removed.length ? ['members'] : []),
      ];
      return [
        {
          ...base,
          type: EVENT_TYPES.groupUpdated,
          resourceType: 'Group',
          resourceId: after.id,
          version: after.version,
          data: {
            group: groupSnapshot(after),
            changedAttributes,
            ...(after.displayName !== before.displayName ? { renamedFrom: before.displayName } : {}),
            membersAdded: toEventMembers(added),
            membersRemoved: removed,
          },
          state: stateRecords,
        },
      ];
    }
    case 'groupDeleted': {
      const { before, members } = change;
      return [
        {
          ...base,
          type: EVENT_TYPES.groupDeleted,
          resourceType: 'Group',
          resourceId: before.id,
          version: before.version + 1,
          data: { id: before.id, displayName: before.displayName },
          state: [tombstone(stateKey('Group', before.id)), ...members.map((m) => tombstone(memberKey(before.id, m)))],
        },
      ];
    }
  }
}
