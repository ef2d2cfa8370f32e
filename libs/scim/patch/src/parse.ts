import { isRecord, SCHEMA_ENTERPRISE_USER, SCHEMA_PATCH_OP, ScimErrors } from '@taskize/scim-core';
import { formatAttrPath, formatFilter, parsePatchPath, type PatchPath } from '@taskize/scim-filter';
import { resolvePath, type PatchResource } from './resolve';

export type PatchOpName = 'add' | 'replace' | 'remove';

/**
 * One normalised RFC 7644 §3.5.2 operation: lower-case `op`, a parsed `path`. After parsePatchRequest every op has
 * a path: no-path add/replace values are expanded into one op per attribute.
 */
export interface PatchOp {
  op: PatchOpName;
  path?: PatchPath;
  value?: unknown;
}

export interface ParsePatchOptions {
  resource: PatchResource;
  /** Cap on `Operations.length`; more is `tooMany`. Default DEFAULT_MAX_PATCH_OPERATIONS. */
  maxOperations?: number;
}

/** Okta batches member changes (100 by default, ~1,000 seen); 1,000 ops leaves headroom without unbounded work. */
export const DEFAULT_MAX_PATCH_OPERATIONS = 1000;

const OP_NAMES: readonly PatchOpName[] = ['add', 'replace', 'remove'];

function findKey(body: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(body).find((k) => k.toLowerCase() === lower);
}

function get(body: Record<string, unknown>, name: string): { present: boolean; value: unknown } {
  const key = findKey(body, name);
  return key === undefined ? { present: false, value: undefined } : { present: true, value: body[key] };
}

/** Path text for error details, in canonical lower-case form. */
export function formatPatchPath(path: PatchPath): string {
  const base = formatAttrPath(path.attr);
  const filtered = path.filter === undefined ? base : `${base}[${formatFilter(path.filter)}]`;
  return path.subAttr === undefined ? filtered : `${filtered}.${path.subAttr}`;
}

/**
 * Parses and normalises a PATCH body (RFC 7644 §3.5.2) for every client dialect; throws only ScimError.
 *
 * - `schemas` must list the PatchOp URN (invalidValue); `Operations` (any case) must be a non-empty array
 *   (invalidSyntax) of at most `maxOperations` entries (tooMany).
 * - `op` is case-insensitive: Entra sends `Add`/`Replace`/`Remove`.
 * - `remove` needs a path (noTarget, §3.5.2.2); add/replace need a `value` member (invalidSyntax).
 * - A no-path add/replace value is expanded into one op per key, each key parsed as a path: plain (`active`),
 *   dotted (`name.givenName`, Entra with aadOptscim062020), filtered (`emails[type eq "work"].value`) and
 *   URN-qualified keys (`urn:…:enterprise:2.0:User:employeeNumber`, or the extension URN with an object value).
 *   Keys naming readOnly attributes (`id`, `meta`, `groups`) or nothing in the schema (`schemas`, unknown
 *   extensions) are dropped, as a PUT body's would be: Okta's group rename carries the group's `id`
 *   (fixtures/okta/group-rename.json) and must stay a pure rename.
 * - Values stay raw; apply/plan coerce them.
 */
export function parsePatchRequest(body: unknown, opts: ParsePatchOptions): PatchOp[] {
  if (!isRecord(body)) throw ScimErrors.invalidSyntax('request body must be a JSON object');
  const schemas = get(body, 'schemas').value;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s: unknown) => typeof s === 'string' && s.toLowerCase() === SCHEMA_PATCH_OP.toLowerCase())
  ) {
    throw ScimErrors.invalidValue(`schemas must include "${SCHEMA_PATCH_OP}"`);
  }
  const operations = get(body, 'Operations').value;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimErrors.invalidSyntax('Operations must be a non-empty array');
  }
  const max = opts.maxOperations ?? DEFAULT_MAX_PATCH_OPERATIONS;
  if (operations.length > max) throw ScimErrors.tooMany(`a PATCH request may carry at most ${max} operations`);
  const out: PatchOp[] = [];
  operations.forEach((raw: unknown, i) => {
    for (const op of parseOperation(raw, `Operations[${i}]`, opts.resource)) out.push(op);
  });
  return out;
}

function parseOperation(raw: unknown, where: string, resource: PatchResource): PatchOp[] {
  if (!isRecord(raw)) throw ScimErrors.invalidSyntax(`${where} must be an object`);
  const opRaw = get(raw, 'op').value;
  const op = typeof opRaw === 'string' ? OP_NAMES.find((n) => n === opRaw.toLowerCase()) : undefined;
  if (op === undefined) throw ScimErrors.invalidSyntax(`${where}.op must be "add", "replace" or "remove"`);
  const pathRaw = get(raw, 'path').value;
  let path: PatchPath | undefined;
  if (pathRaw !== undefined && pathRaw !== null) {
    if (typeof pathRaw !== 'string') throw ScimErrors.invalidPath(`${where}.path must be a string`);
    path = parsePatchPath(pathRaw);
  }
  const value = get(raw, 'value');
  if (op === 'remove') {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with … "noTarget"".
    if (path === undefined) throw ScimErrors.noTarget(`${where}: remove requires a path`);
    // Entra removes group members with a `value` list (fixtures/entra/group-remove-members.json).
    return value.present && value.value !== null ? [{ op, path, value: value.value }] : [{ op, path }];
  }
  if (!value.present) throw ScimErrors.invalidSyntax(`${where}: ${op} requires a value`);
  if (path !== undefined) return [{ op, path, value: value.value }];
  return expandValue(op, value.value, where, resource);
}

/**
 * Expands a no-path add/replace (the value is a partial resource) into one op per attribute. Exported for
 * apply/plan, which accept hand-built ops without a path too.
 */
export function expandValue(op: PatchOpName, value: unknown, where: string, resource: PatchResource): PatchOp[] {
  if (!isRecord(value)) throw ScimErrors.invalidSyntax(`${where}.value must be an object when path is omitted`);
  const out: PatchOp[] = [];
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (resource === 'User' && key.toLowerCase() === SCHEMA_ENTERPRISE_USER.toLowerCase() && isRecord(item)) {
      // `{"urn:…:enterprise:2.0:User": {"department": "x"}}`: one op per extension attribute.
      for (const subKey of Object.keys(item)) pushKey(out, op, `${SCHEMA_ENTERPRISE_USER}:${subKey}`, item[subKey], resource);
    } else {
      pushKey(out, op, key, item, resource);
    }
  }
  return out;
}

function pushKey(out: PatchOp[], op: PatchOpName, key: string, value: unknown, resource: PatchResource): void {
  const path = parsePatchPath(key);
  const resolved = resolvePath(path, resource);
  if (resolved === undefined) return;
  if (resolved.kind === 'attribute' && resolved.def.mutability === 'readOnly') return;
  out.push({ op, path, value });
}
