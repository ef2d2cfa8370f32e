import type { IdentityEvent, MemberState, ResourceState } from './envelope';
import { EVENT_TYPES, type GroupSnapshot, type IdentityEventType, type ResourceType, type UserSnapshot } from './event-types';
import { parseStateKey, stateKey } from './kafka';
import { parseStateRecord } from './validate';

/** Any identity event, discriminated by `type` so a switch narrows `data`. */
export type AnyIdentityEvent = { [K in IdentityEventType]: IdentityEvent<K> }[IdentityEventType];

export type ViewUser = UserSnapshot & { version: number };
export type ViewGroup = GroupSnapshot & { members: Set<string>; version: number };

/** One tenant's users and groups as a subscriber rebuilds them from identity.state.v1 and identity.events. */
export interface TenantView {
  users: Map<string, ViewUser>;
  groups: Map<string, ViewGroup>;
  /**
   * `stateKey(type, id)` → version of the deletion. Remembered so a redelivered older event of a deleted resource
   * is ignored instead of resurrecting it or reporting a gap.
   */
  deleted: Map<string, number>;
}

export function emptyTenantView(): TenantView {
  return { users: new Map(), groups: new Map(), deleted: new Map() };
}

/** Alias of emptyTenantView. */
export const emptyView = emptyTenantView;

/**
 * Version recorded for a resource known only from a tombstone on identity.state.v1: deletion is final (ids are
 * never reused), so every event of it is already reflected.
 */
export const TOMBSTONED = Number.MAX_SAFE_INTEGER;

export interface ApplyOptions {
  /**
   * The event was published before the end of the identity.state.v1 snapshot the view was loaded from (the
   * replay of the bootstrap procedure, docs/events.md). The snapshot is not a consistent cut: group and member
   * records sit on different partitions, and a resource deleted since may be gone (tombstoned). So, in order:
   * membership effects (group.pushed member list, group.updated deltas, removal of a deleted member) are
   * re-applied whatever the version, which converges because they are set operations replayed in publish order;
   * a resource the snapshot does not know is taken from the first event that carries it whole, and a delta
   * without a base is skipped (such a resource was deleted, and its deletion follows in the replay).
   */
  catchUp?: boolean;
}


/**
 * An event skips versions the subscriber has not seen: it missed events (read from the wrong offset, or past
 * retention) and its view of this resource cannot be trusted. Re-bootstrap (docs/events.md), do not skip.
 */
export class VersionGapError extends Error {
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly storedVersion: number;
  readonly eventVersion: number;
  readonly eventId: string;

  constructor(e: IdentityEvent, storedVersion: number) {
    super(
      `version gap on ${e.resourcetype} ${e.subject}: have version ${storedVersion}, event ${e.id} (${e.type}) is version ${e.resourceversion}`,
    );
    this.name = 'VersionGapError';
    this.resourceType = e.resourcetype;
    this.resourceId = e.subject;
    this.storedVersion = storedVersion;
    this.eventVersion = e.resourceversion;
    this.eventId = e.id;
  }
}

/** The version the view holds for a resource: live, deleted, or 0 when it has never seen it. */
export function storedVersion(view: TenantView, resourceType: ResourceType, resourceId: string): number {
  const live = resourceType === 'User' ? view.users.get(resourceId) : view.groups.get(resourceId);
  return Math.max(live?.version ?? 0, view.deleted.get(stateKey(resourceType, resourceId)) ?? 0);
}

function copyView(view: TenantView): TenantView {
  return { users: new Map(view.users), groups: new Map(view.groups), deleted: new Map(view.deleted) };
}

/** Removes a deleted member from every group. Replaces the group objects; never mutates them (they may be shared). */
function dropMember(view: TenantView, memberId: string): void {
  for (const [id, group] of view.groups) {
    if (!group.members.has(memberId)) continue;
    const members = new Set(group.members);
    members.delete(memberId);
    view.groups.set(id, { ...group, members });
  }
}

function setMembers(view: TenantView, groupId: string, change: (members: Set<string>) => void): void {
  const group = view.groups.get(groupId);
  if (group === undefined) return;
  const members = new Set(group.members);
  change(members);
  view.groups.set(groupId, { ...group, members });
}

/** The membership part of an event alone (catch-up replay of an event the view already reflects). */
function applyMembership(view: TenantView, e: AnyIdentityEvent): void {
  switch (e.type) {
    case EVENT_TYPES.groupPushed:
      setMembers(view, e.subject, (members) => {
        members.clear();
        for (const m of e.data.members) members.add(m.value);
      });
      return;
    case EVENT_TYPES.groupUpdated:
      setMembers(view, e.subject, (members) => {
        for (const removed of e.data.membersRemoved) members.delete(removed);
        for (const added of e.data.membersAdded) members.add(added.value);
      });
      return;
    case EVENT_TYPES.userDeleted:
    case EVENT_TYPES.groupDeleted:
      dropMember(view, e.subject);
      return;
    default:
      return;
  }
}

/** Applies one event to a view this module owns (copied): replaces entries, never mutates the values in it. */
function applyWhole(view: TenantView, e: AnyIdentityEvent, stored: number): void {
  const id = e.subject;
  const version = e.resourceversion;
  const key = stateKey(e.resourcetype, id);
  switch (e.type) {
    case EVENT_TYPES.userCreated:
    case EVENT_TYPES.userUpdated:
    case EVENT_TYPES.userDeactivated:
    case EVENT_TYPES.userReactivated:
      view.users.set(id, { ...structuredClone(e.data.user), version });
      view.deleted.delete(key);
      return;
    case EVENT_TYPES.userDeleted:
      view.users.delete(id);
      view.deleted.set(key, version);
      dropMember(view, id);
      return;
    case EVENT_TYPES.groupPushed:
      view.groups.set(id, { ...structuredClone(e.data.group), members: new Set(e.data.members.map((m) => m.value)), version });
      view.deleted.delete(key);
      return;
    case EVENT_TYPES.groupUpdated: {
      const current = view.groups.get(id);
      // A delta needs its base: the version is stored+1 here, so a missing group means the base was never seen.
      if (current === undefined) throw new VersionGapError(e, stored);
      const members = new Set(current.members);
      for (const removed of e.data.membersRemoved) members.delete(removed);
      for (const added of e.data.membersAdded) members.add(added.value);
      view.groups.set(id, { ...structuredClone(e.data.group), members, version });
      return;
    }
    case EVENT_TYPES.groupDeleted:
      view.groups.delete(id);
      view.deleted.set(key, version);
      dropMember(view, id);
      return;
  }
}

type Step = 'ignore' | 'whole' | 'membership' | 'baseline';

const MEMBERSHIP_TYPES: ReadonlySet<IdentityEventType> = new Set([EVENT_TYPES.groupPushed, EVENT_TYPES.groupUpdated, EVENT_TYPES.userDeleted, EVENT_TYPES.groupDeleted]);

/** What an event does to the view; throws VersionGapError when versions were skipped. */
function step(view: TenantView, e: IdentityEvent, options: ApplyOptions | undefined): Step {
  const stored = storedVersion(view, e.resourcetype, e.subject);
  const catchUp = options?.catchUp === true;
  if (e.resourceversion <= stored) return catchUp && MEMBERSHIP_TYPES.has(e.type) ? 'membership' : 'ignore';
  if (e.resourceversion === stored + 1) {
    if (catchUp && e.type === EVENT_TYPES.groupUpdated && !view.groups.has(e.subject)) return 'ignore';
    return 'whole';
  }
  if (catchUp && stored === 0) return e.type === EVENT_TYPES.groupUpdated ? 'ignore' : 'baseline';
  throw new VersionGapError(e, stored);
}

function applyOwned(view: TenantView, event: IdentityEvent, options: ApplyOptions | undefined): boolean {
  const e = event as AnyIdentityEvent;
  const what = step(view, e, options);
  if (what === 'ignore') return false;
  if (what === 'membership') applyMembership(view, e);
  else applyWhole(view, e, storedVersion(view, e.resourcetype, e.subject));
  return true;
}

/** Whether applyToView would leave the view as it is (without copying it). */
function isNoop(view: TenantView, e: IdentityEvent, options: ApplyOptions | undefined): boolean {
  return step(view, e, options) === 'ignore';
}

/**
 * Applies one event to a tenant view and returns the new view; the given view is not changed (an ignored event
 * returns it as is). Idempotent: an event whose `resourceversion` is at or below the stored version is ignored,
 * which is how a subscriber gets effectively-once effects from at-least-once delivery. Throws VersionGapError
 * when `resourceversion` > stored + 1 (the subscriber missed events). user.deleted and group.deleted also remove
 * the resource from every group's members. Copies the view's maps: to fold many events use applyAllToView.
 */
export function applyToView(view: TenantView, e: IdentityEvent, options?: ApplyOptions): TenantView {
  if (isNoop(view, e, options)) return view;
  const next = copyView(view);
  applyOwned(next, e, options);
  return next;
}

/** applyToView over many events in publish order, copying the view once. On VersionGapError nothing is returned. */
export function applyAllToView(view: TenantView, events: Iterable<IdentityEvent>, options?: ApplyOptions): TenantView {
  const next = copyView(view);
  for (const e of events) applyOwned(next, e, options);
  return next;
}

/** One record of identity.state.v1 as read: its key and its raw value (null: a tombstone). */
export interface StateRecordInput {
  key: string | Buffer | null;
  value: string | Buffer | null;
}

/**
 * Builds a tenant's view from identity.state.v1 read from the beginning to its end offsets, records in partition
 * order (step 1 of the bootstrap, docs/events.md). Later records of a key replace earlier ones; other tenants'
 * records are skipped; a user or group tombstone is remembered as deleted (TOMBSTONED); members are joined to
 * their group whatever the order of partitions; unknown key kinds are skipped. Invalid values throw
 * IdentityEventValidationError.
 */
export function viewFromState(tenantId: string, records: Iterable<StateRecordInput>): TenantView {
  const latest = new Map<string, ResourceState | MemberState | null>();
  for (const record of records) {
    if (record.key === null) continue;
    const key = typeof record.key === 'string' ? record.key : record.key.toString('utf8');
    if (parseStateKey(key) === undefined) continue;
    const value = parseStateRecord(record.value);
    if (value !== null && value.tenantid !== tenantId) continue;
    latest.set(key, value);
  }
  const view = emptyTenantView();
  const members: MemberState[] = [];
  for (const [key, value] of latest) {
    if (value === null) {
      if (!key.startsWith('Member:')) view.deleted.set(key, TOMBSTONED);
    } else if (value.resourcetype === 'Member') {
      members.push(value);
    } else if (value.deleted === true) {
      view.deleted.set(key, value.version);
    } else if (value.resourcetype === 'User' && value.user !== undefined) {
      view.users.set(value.id, { ...value.user, version: value.version });
    } else if (value.resourcetype === 'Group' && value.group !== undefined) {
      const { members: inline, ...group } = value.group;
      view.groups.set(value.id, { ...group, members: new Set((inline ?? []).map((m) => m.value)), version: value.version });
    }
  }
  for (const m of members) view.groups.get(m.groupId)?.members.add(m.value);
  return view;
}
