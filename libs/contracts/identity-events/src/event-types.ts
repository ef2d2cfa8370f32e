import type { UserAttributes } from '@taskize/scim-core';

/** CloudEvents `source` of every identity event (a URI-reference, CloudEvents 1.0 §3.1.1). */
export const IDENTITY_EVENT_SOURCE = 'urn:taskize:connect:directory';

/**
 * CloudEvents `type` values. The `.v1` suffix is the contract version: within v1 changes are additive only
 * (docs/events.md); a breaking change is a new type (`.v2`) published alongside v1 until subscribers move.
 */
export const EVENT_TYPES = {
  userCreated: 'com.taskize.identity.user.created.v1',
  userUpdated: 'com.taskize.identity.user.updated.v1',
  userDeactivated: 'com.taskize.identity.user.deactivated.v1',
  userReactivated: 'com.taskize.identity.user.reactivated.v1',
  userDeleted: 'com.taskize.identity.user.deleted.v1',
  groupPushed: 'com.taskize.identity.group.pushed.v1',
  groupUpdated: 'com.taskize.identity.group.updated.v1',
  groupDeleted: 'com.taskize.identity.group.deleted.v1',
} as const;

export type IdentityEventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];
export const IDENTITY_EVENT_TYPES: readonly IdentityEventType[] = Object.values(EVENT_TYPES);

export type ResourceType = 'User' | 'Group';

export function isIdentityEventType(value: unknown): value is IdentityEventType {
  return typeof value === 'string' && (IDENTITY_EVENT_TYPES as readonly string[]).includes(value);
}

/** The resource type each event type is about (its `resourcetype` attribute). */
export function resourceTypeOf(type: IdentityEventType): ResourceType {
  return type.startsWith('com.taskize.identity.user.') ? 'User' : 'Group';
}

/**
 * A user as carried in events: the canonical SCIM attributes (never a password) plus the resource id and, once
 * the person is linked to a Taskize account (an administrator, or anyone created with `user:create`), that
 * account's id: how Taskize services tell that a directory user and a Taskize sign-in are one person.
 */
export type UserSnapshot = { id: string; taskizeAccountId?: string } & UserAttributes;

/** A member as carried in events: the member's resource id and its type ("User" when the client left it out). */
export interface EventMember {
  value: string;
  type: ResourceType;
}

export interface GroupSnapshot {
  id: string;
  displayName: string;
  externalId?: string;
}

export interface UserCreatedData {
  user: UserSnapshot;
}

/**
 * user.updated, user.deactivated and user.reactivated: the full user after the change and the names of the
 * attributes that changed, sorted (core names; enterprise attributes URN-qualified, see changedUserAttributes).
 * When `active` changes the type is deactivated or reactivated, never updated, and `changedAttributes`
 * includes "active" plus anything changed with it.
 */
export interface UserUpdatedData {
  user: UserSnapshot;
  changedAttributes: string[];
}

export interface UserDeletedData {
  id: string;
  userName: string;
  /** The linked Taskize account, if any (see UserSnapshot). */
  taskizeAccountId?: string;
}

/** POST (created) or PUT (replaced) of a group: the full member list after the request. */
export interface GroupPushedData {
  group: GroupSnapshot;
  mode: 'created' | 'replaced';
  members: EventMember[];
}

/**
 * PATCH of a group: one event per request, never one per member. `group` is the group after the change;
 * `changedAttributes` lists "displayName", "externalId" and/or "members".
 */
export interface GroupUpdatedData {
  group: GroupSnapshot;
  changedAttributes: string[];
  renamedFrom?: string;
  membersAdded: EventMember[];
  membersRemoved: string[];
}

export interface GroupDeletedData {
  id: string;
  displayName: string;
}

export interface IdentityEventDataMap {
  [EVENT_TYPES.userCreated]: UserCreatedData;
  [EVENT_TYPES.userUpdated]: UserUpdatedData;
  [EVENT_TYPES.userDeactivated]: UserUpdatedData;
  [EVENT_TYPES.userReactivated]: UserUpdatedData;
  [EVENT_TYPES.userDeleted]: UserDeletedData;
  [EVENT_TYPES.groupPushed]: GroupPushedData;
  [EVENT_TYPES.groupUpdated]: GroupUpdatedData;
  [EVENT_TYPES.groupDeleted]: GroupDeletedData;
}
