import {
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  GROUP_SCHEMA,
  SCHEMA_ENTERPRISE_USER,
  SCHEMA_GROUP,
  SCHEMA_USER,
  USER_SCHEMA,
  type AttributeDefinition,
} from '@taskize/scim-core';
import type { PatchPath } from '@taskize/scim-filter';

export type PatchResource = 'User' | 'Group';

/**
 * Where a PATCH path points, against the resource's schema:
 * - `extension`: the whole enterprise extension (`urn:…:enterprise:2.0:User` as a path or no-path key);
 * - `attribute`: `def` is the top-level attribute, `extension` says whether it lives in the enterprise extension,
 *   `sub` is the sub-attribute after `.` (`name.givenName`) or after `].` (`emails[type eq "work"].value`).
 */
export type ResolvedPath =
  | { kind: 'extension' }
  | { kind: 'attribute'; def: AttributeDefinition; extension: boolean; sub?: AttributeDefinition; path: PatchPath };

const USER_CORE = SCHEMA_USER.toLowerCase();
const GROUP_CORE = SCHEMA_GROUP.toLowerCase();
const ENTERPRISE = SCHEMA_ENTERPRISE_USER.toLowerCase();
// The filter parser splits at the last colon, so the bare extension URN parses as schema `…:2.0`, attribute `user`.
const ENTERPRISE_ROOT = { schema: ENTERPRISE.slice(0, ENTERPRISE.lastIndexOf(':')), attr: ENTERPRISE.slice(ENTERPRISE.lastIndexOf(':') + 1) };

export function isEnterpriseRoot(path: PatchPath): boolean {
  return (
    path.attr.schema === ENTERPRISE_ROOT.schema &&
    path.attr.attr === ENTERPRISE_ROOT.attr &&
    path.attr.subAttr === undefined &&
    path.filter === undefined &&
    path.subAttr === undefined
  );
}

/** Resolves a path against the User (core + enterprise) or Group schema; `undefined` when it names nothing known. */
export function resolvePath(path: PatchPath, resource: PatchResource): ResolvedPath | undefined {
  const { schema, attr, subAttr } = path.attr;
  let attributes: readonly AttributeDefinition[];
  let extension = false;
  if (resource === 'User' && isEnterpriseRoot(path)) return { kind: 'extension' };
  if (schema === undefined || schema === (resource === 'User' ? USER_CORE : GROUP_CORE)) {
    attributes = resource === 'User' ? USER_SCHEMA.attributes : GROUP_SCHEMA.attributes;
  } else if (resource === 'User' && schema === ENTERPRISE) {
    attributes = ENTERPRISE_USER_SCHEMA.attributes;
    extension = true;
  } else {
    return undefined;
  }
  const def = findAttribute(attributes, attr);
  if (def === undefined) return undefined;
  // `a.b` and `a[filter].b` are mutually exclusive in the grammar; the parser guarantees at most one.
  const subName = subAttr ?? path.subAttr;
  if (subName === undefined) return { kind: 'attribute', def, extension, path };
  if (def.type !== 'complex') return undefined;
  const sub = findAttribute(def.subAttributes ?? [], subName);
  return sub === undefined ? undefined : { kind: 'attribute', def, extension, sub, path };
}

/** Human-readable path for error details, e.g. `emails[…].value`. */
export function describePath(resolved: ResolvedPath): string {
  if (resolved.kind === 'extension') return SCHEMA_ENTERPRISE_USER;
  const base = resolved.extension ? `${SCHEMA_ENTERPRISE_USER}:${resolved.def.name}` : resolved.def.name;
  const filtered = resolved.path.filter === undefined ? base : `${base}[…]`;
  return resolved.sub === undefined ? filtered : `${filtered}.${resolved.sub.name}`;
}
