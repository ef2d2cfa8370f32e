import {
  coerceValue,
  isRecord,
  parseUserBody,
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_USER,
  ScimErrors,
  type AttributeDefinition,
  type UserAttributes,
} from '@taskize/scim-core';
import { matchesFilter, parsePatchPath, type FilterNode } from '@taskize/scim-filter';
import { jsonEqual } from './json';
import { expandValue, formatPatchPath, type PatchOp, type PatchOpName } from './parse';
import { describePath, resolvePath } from './resolve';

export interface UserPatchResult {
  /** The patched user, normalised exactly as parseUserBody would return it. */
  user: UserAttributes;
  /**
   * Sorted names of the attributes whose value changed: canonical core names (`active`, `emails`, `name`) and,
   * for the enterprise extension, URN-qualified attribute names
   * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`), the form a SCIM client would use.
   */
  changed: string[];
}

type Obj = Record<string, unknown>;

/** The user being patched: core attributes and the enterprise extension, canonical names, deep copies. */
interface Work {
  core: Obj;
  ext: Obj;
}

/**
 * Applies normalised PATCH operations (from parsePatchRequest) to a user, RFC 7644 §3.5.2.1–3, in order and all or
 * nothing: returns a new, validated user and never mutates `user`; any fault throws a ScimError and the caller
 * keeps the old user.
 *
 * Decisions beyond the RFC text (each covered by apply-user.spec.ts):
 * - `add`/`replace` through a value filter that matches nothing creates the element from the filter's `eq`
 *   tests (`emails[type eq "work"].value` → `{type: "work", value}`; Entra does this for a user without a work
 *   email); a filter that is not a conjunction of `eq` tests is noTarget.
 * - `add`/`replace` of an object through a value filter merges it into every matching element.
 * - `remove` of something absent, or through a filter matching nothing, is a no-op (Okta and Entra retry).
 * - `userName` and `active` cannot be removed: invalidValue (RFC 7644 Table 9: "a required value was missing");
 *   removing `active` would otherwise silently re-activate the user through the default.
 * - `id`, `meta`, `groups` (readOnly) and `manager.displayName` are mutability errors; `password` is accepted and
 *   ignored (writeOnly; Taskize never stores one).
 * - a value `null` on add/replace means remove (RFC 7643 §2.5: null is unassigned).
 * - setting `primary: true` on one element clears it on the others (RFC 7643 §2.4).
 */
export function applyUserPatch(user: UserAttributes, ops: readonly PatchOp[]): UserPatchResult {
  const { enterprise, ...core } = structuredClone(user);
  const work: Work = { core: core as Obj, ext: (enterprise ?? {}) as Obj };
  for (const op of ops) applyOp(work, op);
  const body: Obj = { ...work.core, schemas: [SCHEMA_USER, SCHEMA_ENTERPRISE_USER] };
  if (Object.keys(work.ext).length > 0) body[SCHEMA_ENTERPRISE_USER] = work.ext;
  const result = parseUserBody(body);
  return { user: result, changed: changedAttributes(user, result) };
}

function changedAttributes(before: UserAttributes, after: UserAttributes): string[] {
  const changed: string[] = [];
  const b = before as unknown as Obj;
  const a = after as unknown as Obj;
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (key !== 'enterprise' && !jsonEqual(b[key], a[key])) changed.push(key);
  }
  const be = (before.enterprise ?? {}) as Obj;
  const ae = (after.enterprise ?? {}) as Obj;
  for (const key of new Set([...Object.keys(be), ...Object.keys(ae)])) {
    if (!jsonEqual(be[key], ae[key])) changed.push(`${SCHEMA_ENTERPRISE_USER}:${key}`);
  }
  return changed.sort();
}

function applyOp(work: Work, op: PatchOp): void {
  if (op.path === undefined) {
    if (op.op === 'remove') throw ScimErrors.noTarget('remove requires a path');
    for (const expanded of expandValue(op.op, op.value, 'operation', 'User')) applyOp(work, expanded);
    return;
  }
  const resolved = resolvePath(op.path, 'User');
  if (resolved === undefined) throw ScimErrors.invalidPath(`"${formatPatchPath(op.path)}" is not a User attribute`);
  // null is "unassigned" (RFC 7643 §2.5): add/replace of null removes the target.
  const opName: PatchOpName = op.op !== 'remove' && op.value === null ? 'remove' : op.op;
  if (resolved.kind === 'extension') {
    applyExtension(work, opName, op.value);
    return;
  }
  const { def, sub } = resolved;
  const label = describePath(resolved);
  if (def.mutability === 'readOnly' || sub?.mutability === 'readOnly') throw ScimErrors.mutability(`${label} is readOnly`);
  if (def.mutability === 'writeOnly') return;
  const container = resolved.extension ? work.ext : work.core;
  const filter = op.path.filter;
  if (def.multiValued) {
    applyMultiValued(container, def, filter, sub, opName, op.value, label);
    return;
  }
  if (filter !== undefined) throw ScimErrors.invalidPath(`${label}: a value filter needs a multi-valued attribute`);
  if (sub !== undefined) applySubAttribute(container, def, sub, opName, op.value, label);
  else applySingle(container, def, opName, op.value, label, resolved.extension);
}

function applyExtension(work: Work, op: PatchOpName, value: unknown): void {
  if (op === 'remove') {
    work.ext = {};
    return;
  }
  if (!isRecord(value)) throw ScimErrors.invalidValue(`${SCHEMA_ENTERPRISE_USER} must be an object`);
  for (const key of Object.keys(value)) {
    const path = parsePatchPath(`${SCHEMA_ENTERPRISE_USER}:${key}`);
    // Unknown extension attributes are dropped, as parseUserBody drops them.
    if (resolvePath(path, 'User') !== undefined) applyOp(work, { op, path, value: value[key] });
  }
}

function applySingle(container: Obj, def: AttributeDefinition, op: PatchOpName, value: unknown, label: string, extension: boolean): void {
  if (op === 'remove') {
    if (!extension && (def.name === 'userName' || def.name === 'active')) {
      throw ScimErrors.invalidValue(`${label} cannot be removed`);
    }
    delete container[def.name];
    return;
  }
  if (def.type !== 'complex') {
    container[def.name] = coerceValue(def, value, label);
    return;
  }
  // Entra sends the manager as a bare id string (fixtures/entra/user-manager.json); RFC 7643 §4.3 says {value}.
  const raw = extension && def.name === 'manager' && typeof value === 'string' ? { value } : value;
  if (!isRecord(raw)) throw ScimErrors.invalidValue(`${label} must be an object`);
  // RFC 7644 §3.5.2.1/3: sub-attributes in the value replace or add; those not given are left unchanged.
  const merged: Obj = { ...(isRecord(container[def.name]) ? (container[def.name] as Obj) : {}) };
  Object.assign(merged, coerceValue(def, raw, label) as Obj);
  for (const key of Object.keys(raw)) {
    const subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === key.toLowerCase());
    if (subDef !== undefined && raw[key] === null) delete merged[subDef.name];
  }
  setOrDelete(container, def.name, merged);
}

function applySubAttribute(container: Obj, def: AttributeDefinition, sub: AttributeDefinition, op: PatchOpName, value: unknown, label: string): void {
  const parent: Obj = { ...(isRecord(container[def.name]) ? (container[def.name] as Obj) : {}) };
  if (op === 'remove') delete parent[sub.name];
  else parent[sub.name] = coerceValue(sub, value, label);
  setOrDelete(container, def.name, parent);
}

function setOrDelete(container: Obj, name: string, value: Obj): void {
  if (Object.keys(value).length === 0) delete container[name];
  else container[name] = value;
}

function applyMultiValued(
  container: Obj,
  def: AttributeDefinition,
  filter: FilterNode | undefined,
  sub: AttributeDefinition | undefined,
  op: PatchOpName,
  value: unknown,
  label: string,
): void {
  const current = container[def.name];
  const list: Obj[] = Array.isArray(current) ? (current as Obj[]).map((el) => ({ ...el })) : [];
  if (filter === undefined && sub === undefined) {
    if (op === 'remove') {
      delete container[def.name];
    } else if (op === 'replace') {
      container[def.name] = coerceValue(def, Array.isArray(value) ? value : [value], label);
    } else {
      const added = coerceValue(def, Array.isArray(value) ? value : [value], label) as Obj[];
      const touched: number[] = [];
      for (const el of added) {
        // RFC 7644 §3.5.2.1: a value already present is not added twice.
        if (list.some((existing) => jsonEqual(existing, el))) continue;
        touched.push(list.push(el) - 1);
      }
      container[def.name] = clearOtherPrimaries(list, touched, label);
    }
    return;
  }
  const single: AttributeDefinition = { ...def, multiValued: false };
  const matches: number[] = [];
  list.forEach((el, i) => {
    if (filter === undefined || matchesFilter(filter, el)) matches.push(i);
  });
  if (op === 'remove') {
    if (sub === undefined) {
      const keep = list.filter((_, i) => !matches.includes(i));
      if (keep.length === 0) delete container[def.name];
      else container[def.name] = keep;
    } else if (matches.length > 0) {
      for (const i of matches) delete (list[i] as Obj)[sub.name];
      container[def.name] = list;
    }
    return;
  }
  let patch: Obj;
  if (sub !== undefined) {
    patch = { [sub.name]: coerceValue(sub, value, label) };
  } else {
    if (!isRecord(value)) throw ScimErrors.invalidValue(`${label} must be an object`);
    patch = coerceValue(single, value, label) as Obj;
  }
  let touched = matches;
  if (matches.length === 0) {
    const template = filter === undefined ? {} : templateFrom(filter, def);
    if (template === undefined) throw ScimErrors.noTarget(`${label}: no value matches the filter`);
    touched = [list.push(coerceValue(single, { ...template, ...patch }, label) as Obj) - 1];
  } else {
    for (const i of matches) list[i] = { ...list[i], ...patch };
  }
  container[def.name] = clearOtherPrimaries(list, touched, label);
}

/**
 * The element a filter describes, when it is a conjunction of `eq` tests on known sub-attributes
 * (`type eq "work"` → `{type: "work"}`); undefined otherwise. Used to create the target of an add/replace whose
 * filter matches nothing.
 */
function templateFrom(filter: FilterNode, def: AttributeDefinition): Obj | undefined {
  if (filter.kind === 'and') {
    const left = templateFrom(filter.left, def);
    const right = templateFrom(filter.right, def);
    if (left === undefined || right === undefined) return undefined;
    for (const key of Object.keys(right)) if (key in left && !jsonEqual(left[key], right[key])) return undefined;
    return { ...left, ...right };
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return undefined;
  if (filter.path.schema !== undefined || filter.path.subAttr !== undefined) return undefined;
  const subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === filter.path.attr);
  return subDef === undefined ? undefined : { [subDef.name]: filter.value };
}

/** RFC 7643 §2.4: at most one primary — a touched element set primary clears the flag on every other element. */
function clearOtherPrimaries(list: Obj[], touched: readonly number[], label: string): Obj[] {
  const primaries = touched.filter((i) => list[i]?.['primary'] === true);
  if (primaries.length > 1) throw ScimErrors.invalidValue(`${label} has more than one primary value`);
  if (primaries.length === 0) return list;
  return list.map((el, i) => (i !== primaries[0] && el['primary'] === true ? { ...el, primary: false } : el));
}
