import {
  checkGroupDisplayName,
  checkMemberValue,
  coerceValue,
  isRecord,
  MAX_GROUP_MEMBERS,
  parseGroupMember,
  parseGroupMembers,
  ScimErrors,
  type GroupMember,
} from '@taskize/scim-core';
import type { FilterNode } from '@taskize/scim-filter';
import { expandValue, formatPatchPath, type PatchOp, type PatchOpName } from './parse';
import { describePath, resolvePath } from './resolve';

/**
 * A Group PATCH folded into set deltas, so the directory can apply it with a few SQL statements without loading the
 * member list (STYLE.md: never load a whole member list to change one member).
 */
export interface GroupPatchPlan {
  /** The new displayName; the last rename wins. */
  displayName?: string;
  /** The new externalId; `null` removes it. */
  externalId?: string | null;
  members: {
    /**
     * The complete new member list, when a `replace members` or a clearing `remove members` occurred; later adds and
     * removes are folded into it, so `add` and `remove` are then empty.
     */
    replaceAll?: GroupMember[];
    /** Members to ensure present (deduplicated by value; disjoint from `remove`). */
    add: GroupMember[];
    /** Member ids to ensure absent (disjoint from `add`). */
    remove: string[];
  };
  /** Sorted top-level names the request touches: 'displayName' | 'externalId' | 'members'. */
  changed: string[];
}

/** Folds member operations in order; every step is O(1) per member, so Okta's 1,000-change batches stay linear. */
class MemberFold {
  replaceAll: Map<string, GroupMember> | undefined;
  readonly add = new Map<string, GroupMember>();
  readonly remove = new Set<string>();

  replace(members: readonly GroupMember[]): void {
    this.replaceAll = new Map(members.map((m) => [m.value, m]));
    this.add.clear();
    this.remove.clear();
  }

  ensurePresent(member: GroupMember): void {
    if (this.replaceAll !== undefined) {
      this.replaceAll.set(member.value, member);
      if (this.replaceAll.size > MAX_GROUP_MEMBERS) throw tooManyMembers();
      return;
    }
    this.remove.delete(member.value);
    this.add.set(member.value, member);
    if (this.add.size > MAX_GROUP_MEMBERS) throw tooManyMembers();
  }

  ensureAbsent(value: string): void {
    if (this.replaceAll !== undefined) {
      this.replaceAll.delete(value);
      return;
    }
    this.add.delete(value);
    this.remove.add(value);
  }
}

function tooManyMembers() {
  return ScimErrors.invalidValue(`a group may not have more than ${MAX_GROUP_MEMBERS} members`);
}

/**
 * Plans a Group PATCH (RFC 7644 §3.5.2) from normalised operations; throws only ScimError. Member shapes:
 * - `add members [..]` (Okta, and Entra with `"$ref": null`): ensure present;
 * - `remove members[value eq "a" or value eq "b"]` (Okta): ensure absent; other member filters are invalidFilter;
 * - `remove members` with a value list (Entra, fixtures/entra/group-remove-members.json): ensure ONLY those absent;
 * - `remove members` with no value, or `replace members` with a list or null: replaceAll.
 * Re-adding a member or removing an absent one is not an error. Member sub-attributes are immutable
 * (RFC 7643 §8.7.1), so paths such as `members[value eq "a"].display` are mutability errors; add/replace through a
 * member filter is invalidPath. displayName cannot be removed (invalidValue: it is required).
 */
export function planGroupPatch(ops: readonly PatchOp[]): GroupPatchPlan {
  const plan: Omit<GroupPatchPlan, 'members' | 'changed'> = {};
  const members = new MemberFold();
  const changed = new Set<string>();
  const apply = (op: PatchOp): void => {
    if (op.path === undefined) {
      if (op.op === 'remove') throw ScimErrors.noTarget('remove requires a path');
      for (const expanded of expandValue(op.op, op.value, 'operation', 'Group')) apply(expanded);
      return;
    }
    const resolved = resolvePath(op.path, 'Group');
    if (resolved === undefined || resolved.kind !== 'attribute') {
      throw ScimErrors.invalidPath(`"${formatPatchPath(op.path)}" is not a Group attribute`);
    }
    const { def, sub } = resolved;
    const label = describePath(resolved);
    if (def.mutability === 'readOnly') throw ScimErrors.mutability(`${label} is readOnly`);
    if (def.name === 'members') {
      if (sub !== undefined) throw ScimErrors.mutability(`${label} is immutable: add or remove the member instead`);
      if (planMembers(members, op.op, op.path.filter, op.value, label)) changed.add('members');
      return;
    }
    if (op.path.filter !== undefined || sub !== undefined) throw ScimErrors.invalidPath(`"${formatPatchPath(op.path)}" is not a Group attribute`);
    const remove = op.op === 'remove' || op.value === null;
    if (def.name === 'displayName') {
      if (remove) throw ScimErrors.invalidValue('displayName is required and cannot be removed');
      plan.displayName = checkGroupDisplayName(op.value);
    } else {
      plan.externalId = remove ? null : (coerceValue(def, op.value, label) as string);
    }
    changed.add(def.name);
  };
  for (const op of ops) apply(op);
  return {
    ...plan,
    members: {
      ...(members.replaceAll === undefined ? {} : { replaceAll: [...members.replaceAll.values()] }),
      add: [...members.add.values()],
      remove: [...members.remove],
    },
    changed: [...changed].sort(),
  };
}

/** Folds one member op; returns whether it named any member (or replaced the list), for `changed`. */
function planMembers(fold: MemberFold, op: PatchOpName, filter: FilterNode | undefined, value: unknown, label: string): boolean {
  if (filter !== undefined) {
    if (op !== 'remove') throw ScimErrors.invalidPath(`${label}: a member filter is only supported with remove`);
    for (const id of memberFilterValues(filter)) fold.ensureAbsent(checkMemberValue(id, `${label} filter value`));
    return true;
  }
  if (op === 'replace') {
    fold.replace(parseGroupMembers(value === null ? [] : Array.isArray(value) ? value : [value], label));
    return true;
  }
  if (op === 'remove' && (value === undefined || value === null)) {
    // RFC 7644 §3.5.2.2: remove on a multi-valued attribute without a filter removes all values.
    fold.replace([]);
    return true;
  }
  // `add null` adds nothing (rather than null-means-remove clearing the whole group).
  if (value === null) return false;
  if (!Array.isArray(value) && !isRecord(value)) throw ScimErrors.invalidValue(`${label} must be an array of members`);
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length > MAX_GROUP_MEMBERS) throw tooManyMembers();
  let named = false;
  items.forEach((item, i) => {
    if (item === null) return;
    const member = parseGroupMember(item, `${label}[${i}]`);
    if (op === 'add') fold.ensurePresent(member);
    else fold.ensureAbsent(member.value);
    named = true;
  });
  return named;
}

/** `value eq "a" or value eq "b" …` → ['a', 'b']; anything else is invalidFilter. Iterative: or-chains are left-deep. */
function memberFilterValues(filter: FilterNode): string[] {
  const values: string[] = [];
  const stack: FilterNode[] = [filter];
  while (stack.length > 0) {
    const node = stack.pop() as FilterNode;
    if (node.kind === 'or') {
      stack.push(node.right, node.left);
      continue;
    }
    const ok =
      node.kind === 'compare' &&
      node.op === 'eq' &&
      node.path.schema === undefined &&
      node.path.subAttr === undefined &&
      node.path.attr === 'value' &&
      typeof node.value === 'string';
    if (!ok) throw ScimErrors.invalidFilter('member filters support value eq only');
    values.push(node.value as string);
  }
  return values;
}

/**
 * Applies a plan's member deltas to a known member list: the reference semantics of the directory's SQL, for
 * in-memory fakes and tests. Returns a new list; existing members keep their position and details.
 */
export function applyMemberPlan(current: readonly GroupMember[], members: GroupPatchPlan['members']): GroupMember[] {
  if (members.replaceAll !== undefined) return members.replaceAll.map((m) => ({ ...m }));
  const removed = new Set(members.remove);
  const out = current.filter((m) => !removed.has(m.value)).map((m) => ({ ...m }));
  const present = new Set(out.map((m) => m.value));
  for (const m of members.add) {
    if (!present.has(m.value)) {
      present.add(m.value);
      out.push({ ...m });
    }
  }
  return out;
}
