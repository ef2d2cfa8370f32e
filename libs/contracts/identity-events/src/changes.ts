import { isDeepStrictEqual } from 'node:util';
import { SCHEMA_ENTERPRISE_USER, type GroupMember, type UserAttributes } from '@taskize/scim-core';
import { EVENT_TYPES, type EventMember } from './event-types';

/**
 * The `changedAttributes` of a user event: names of the attributes whose values differ (deep comparison; present
 * on one side only counts), sorted. Core attributes by their canonical name; enterprise extension attributes
 * qualified by the extension URN, the name a SCIM client uses for them (RFC 7644 §3.10).
 */
export function changedUserAttributes(before: UserAttributes, after: UserAttributes): string[] {
  const changed = (a: object, b: object, prefix: string, skip: string[]) =>
    [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => !skip.includes(k) && !isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      .map((k) => `${prefix}${k}`);
  return [
    ...changed(before, after, '', ['id', 'enterprise']),
    ...changed(before.enterprise ?? {}, after.enterprise ?? {}, `${SCHEMA_ENTERPRISE_USER}:`, []),
  ].sort();
}

/** The event type of a change to an existing user: deactivated/reactivated whenever `active` flips, else updated. */
export function userChangeEventType(
  before: { active: boolean },
  after: { active: boolean },
): typeof EVENT_TYPES.userUpdated | typeof EVENT_TYPES.userDeactivated | typeof EVENT_TYPES.userReactivated {
  if (before.active === after.active) return EVENT_TYPES.userUpdated;
  return after.active ? EVENT_TYPES.userReactivated : EVENT_TYPES.userDeactivated;
}

/** SCIM members as carried in events: id and type only ("User" when the client sent none, RFC 7643 §4.2). */
export function toEventMembers(members: readonly GroupMember[] | undefined): EventMember[] {
  return (members ?? []).map((m) => ({ value: m.value, type: m.type ?? 'User' }));
}
