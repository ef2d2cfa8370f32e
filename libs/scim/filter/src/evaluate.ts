import { SCHEMA_GROUP, SCHEMA_USER } from '@taskize/scim-core';
import type { AttrPath, CompareNode, FilterNode } from './ast';

export interface MatchOptions {
  /**
   * RFC 7643 caseExact of a path (e.g. true for `id`, `externalId`). Defaults to false for every path, which is
   * right for userName, emails and displayName and harmless for server-generated lower-case UUIDs.
   */
  caseExact?: (path: AttrPath) => boolean;
}

const CORE_SCHEMAS = [SCHEMA_USER, SCHEMA_GROUP].map((s) => s.toLowerCase());

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Case-insensitive own-property read (RFC 7643 §2.1). */
function getCi(value: unknown, name: string): unknown {
  if (!isRecord(value)) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(value).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : value[key];
}

function base(resource: unknown, path: AttrPath): unknown {
  // Extension attributes live under their schema URN; a core schema prefix is redundant.
  return path.schema === undefined || CORE_SCHEMAS.includes(path.schema) ? resource : getCi(resource, path.schema);
}

function isPresent(value: unknown): boolean {
  // RFC 7643 §2.5: null, "" and [] all mean unassigned.
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isRecord(value)) return Object.values(value).some(isPresent);
  return true;
}

/** The values a path selects, and whether they came from a multi-valued attribute. */
function select(resource: unknown, path: AttrPath): { values: unknown[]; multi: boolean } {
  const raw = getCi(base(resource, path), path.attr);
  // A complex multi-valued attribute compares on its `value` sub-attribute by default (RFC 7643 §2.4).
  const sub = path.subAttr;
  if (Array.isArray(raw)) {
    const values = raw.map((el) => (sub !== undefined ? getCi(el, sub) : isRecord(el) ? getCi(el, 'value') : el));
    return { values: values.filter((v) => v !== undefined && v !== null), multi: true };
  }
  const value = sub === undefined ? raw : getCi(raw, sub);
  return { values: value === undefined || value === null ? [] : [value], multi: false };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function compareValues(actual: unknown, node: CompareNode, caseExact: boolean): boolean {
  const { op, value } = node;
  if (typeof actual === 'string' && typeof value === 'string') {
    const a = caseExact ? actual : actual.toLowerCase();
    const b = caseExact ? value : value.toLowerCase();
    switch (op) {
      case 'eq': return a === b;
      case 'ne': return a !== b;
      case 'co': return a.includes(b);
      case 'sw': return a.startsWith(b);
      case 'ew': return a.endsWith(b);
      default: {
        // dateTimes order by instant, not by text ("…+02:00" vs "…Z").
        const ta = ISO_DATE.test(a) ? Date.parse(actual) : NaN;
        const tb = ISO_DATE.test(b) ? Date.parse(value) : NaN;
        return Number.isNaN(ta) || Number.isNaN(tb) ? order(op, a < b ? -1 : a > b ? 1 : 0) : order(op, Math.sign(ta - tb));
      }
    }
  }
  if (typeof actual === 'number' && typeof value === 'number') {
    if (op === 'eq') return actual === value;
    if (op === 'ne') return actual !== value;
    return order(op, Math.sign(actual - value));
  }
  if (typeof actual === 'boolean' && typeof value === 'boolean') {
    if (op === 'eq') return actual === value;
    if (op === 'ne') return actual !== value;
    return false;
  }
  // Different types never match; `ne` is then true.
  return op === 'ne';
}

function order(op: CompareNode['op'], sign: number): boolean {
  switch (op) {
    case 'gt': return sign > 0;
    case 'ge': return sign >= 0;
    case 'lt': return sign < 0;
    case 'le': return sign <= 0;
    default: return false;
  }
}

/**
 * Evaluates a filter against one SCIM resource (or, for paths inside `[...]`, one element), with the same meaning
 * filterToSql gives it: a multi-valued attribute matches when any element does; `eq null` means "not present";
 * `ne` on a missing single-valued attribute is true. For in-memory checks such as PATCH value selection.
 */
export function matchesFilter(node: FilterNode, resource: unknown, options: MatchOptions = {}): boolean {
  switch (node.kind) {
    case 'and':
      return matchesFilter(node.left, resource, options) && matchesFilter(node.right, resource, options);
    case 'or':
      return matchesFilter(node.left, resource, options) || matchesFilter(node.right, resource, options);
    case 'not':
      return !matchesFilter(node.filter, resource, options);
    case 'present':
      return select(resource, node.path).values.some(isPresent);
    case 'valuePath': {
      const raw = getCi(base(resource, node.attr), node.attr.attr);
      const elements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
      return elements.some((el) => isRecord(el) && matchesFilter(node.filter, el, options));
    }
    case 'compare': {
      const { values, multi } = select(resource, node.path);
      if (node.value === null) {
        const present = values.some(isPresent);
        return node.op === 'eq' ? !present : node.op === 'ne' ? present : false;
      }
      const caseExact = options.caseExact?.(node.path) ?? false;
      if (!multi && values.length === 0) return node.op === 'ne';
      return values.some((v) => compareValues(v, node, caseExact));
    }
  }
}
