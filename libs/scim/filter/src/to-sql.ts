import { ScimErrors, SCHEMA_GROUP, SCHEMA_USER, type ScimError } from '@taskize/scim-core';
import type { AttrPath, CompareNode, FilterNode, FilterValue } from './ast';
import { formatAttrPath } from './format';

export interface ColumnSpec {
  /** Qualified column, e.g. `u.user_name_lower`. Trusted: it comes from code, never from the request. */
  column: string;
  type: 'string' | 'boolean' | 'datetime' | 'integer';
  /** false: the app stores the value lower-cased (JS `toLowerCase()`), and filter values are lower-cased to match. */
  caseExact: boolean;
}

export interface MultiValuedSpec {
  table: string;
  alias: string;
  /** Correlates a row of `table` with the outer row, e.g. `e.tenant_id = u.tenant_id AND e.user_id = u.id`. */
  join: string;
  /** Keys lower-case: 'value', 'type', 'primary'. */
  subAttributes: Record<string, ColumnSpec>;
  /** Sub-attribute used by `emails eq "x"` (RFC 7643 §2.4: `value`). */
  defaultSubAttribute: string;
}

export interface FilterColumns {
  /** Keys: lower-case canonical paths, e.g. 'username', 'name.givenname', 'meta.lastmodified', or URN-qualified. */
  attributes: Record<string, ColumnSpec>;
  /** Keys lower-case, e.g. 'emails'. */
  multiValued?: Record<string, MultiValuedSpec>;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Core schema prefixes are redundant (`urn:…:core:2.0:User:userName` is `userName`), so lookups also try without. */
const CORE_SCHEMAS = [SCHEMA_USER, SCHEMA_GROUP].map((s) => s.toLowerCase());

/** `!` is the LIKE escape: portable across MariaDB and MySQL whatever NO_BACKSLASH_ESCAPES says. */
function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (ch) => `!${ch}`);
}

// xsd:dateTime (RFC 7643 §2.3.5), also a bare date. No zone means UTC.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?)?$/;

function parseDateTime(value: string, label: string): Date {
  const m = DATE_TIME.exec(value);
  if (m !== null) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
    const ms = frac.padEnd(3, '0').slice(0, 3);
    const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone.toUpperCase()}`);
    // Date silently rolls 2024-02-30 over to March; reject dates whose day does not exist.
    const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (!Number.isNaN(date.getTime()) && day.getUTCDate() === Number(d) && day.getUTCMonth() === Number(mo) - 1) return date;
  }
  throw ScimErrors.invalidFilter(`${label} needs a dateTime value like "2024-01-31T12:00:00Z", got ${JSON.stringify(value)}`);
}

type Target =
  | { kind: 'column'; spec: ColumnSpec; label: string }
  | { kind: 'multi'; spec: MultiValuedSpec; sub: ColumnSpec | undefined; explicitSub: boolean; label: string };

/** The element of a multi-valued attribute that paths inside `emails[...]` refer to. */
interface Element {
  spec: MultiValuedSpec;
  label: string;
}

class SqlBuilder {
  readonly params: unknown[] = [];

  constructor(private readonly columns: FilterColumns) {}

  /**
   * `twoValued` is set under NOT: there every test must be TRUE or FALSE, never UNKNOWN, or
   * `not (title eq "x")` would drop users without a title (SQL: NOT (NULL = 'x') is NULL).
   */
  build(node: FilterNode, element: Element | undefined, twoValued: boolean): string {
    switch (node.kind) {
      case 'and':
      case 'or':
        // Always parenthesised, so the caller can AND the fragment onto `tenant_id = ?` safely.
        return `(${this.build(node.left, element, twoValued)} ${node.kind.toUpperCase()} ${this.build(node.right, element, twoValued)})`;
      case 'not':
        return `NOT (${this.build(node.filter, element, true)})`;
      case 'present':
        return this.present(this.resolve(node.path, element));
      case 'compare':
        return this.compare(this.resolve(node.path, element), node, twoValued);
      case 'valuePath':
        return this.valuePath(node.attr, node.filter, element);
    }
  }

  private lookup(path: AttrPath): { attributes: ColumnSpec | undefined; multi: MultiValuedSpec | undefined } {
    const name = path.subAttr === undefined ? path.attr : `${path.attr}.${path.subAttr}`;
    const keys: [string, string][] = [];
    if (path.schema !== undefined) keys.push([`${path.schema}:${name}`, `${path.schema}:${path.attr}`]);
    if (path.schema === undefined || CORE_SCHEMAS.includes(path.schema)) keys.push([name, path.attr]);
    for (const [attrKey, multiKey] of keys) {
      const attributes = own(this.columns.attributes, attrKey);
      const multi = own(this.columns.multiValued ?? {}, multiKey);
      if (attributes !== undefined || multi !== undefined) return { attributes, multi };
    }
    return { attributes: undefined, multi: undefined };
  }

  private resolve(path: AttrPath, element: Element | undefined): Target {
    const label = formatAttrPath(path);
    if (element !== undefined) {
      // Inside `emails[...]`: names are sub-attributes of the element (the parser allows nothing else here).
      const sub = path.schema === undefined && path.subAttr === undefined ? own(element.spec.subAttributes, path.attr) : undefined;
      if (sub === undefined) throw notFilterable(`${element.label}.${label}`);
      return { kind: 'column', spec: sub, label: `${element.label}.${label}` };
    }
    const { attributes, multi } = this.lookup(path);
    if (attributes !== undefined) return { kind: 'column', spec: attributes, label };
    if (multi !== undefined) {
      const subName = path.subAttr ?? multi.defaultSubAttribute;
      const sub = own(multi.subAttributes, subName);
      if (sub === undefined && path.subAttr !== undefined) throw notFilterable(label);
      return { kind: 'multi', spec: multi, sub, explicitSub: path.subAttr !== undefined, label };
    }
    throw notFilterable(label);
  }

  private exists(spec: MultiValuedSpec, condition: string | undefined): string {
    const where = condition === undefined ? spec.join : `${spec.join} AND ${condition}`;
    return `EXISTS (SELECT 1 FROM ${spec.table} ${spec.alias} WHERE ${where})`;
  }

  private present(target: Target): string {
    if (target.kind === 'column') return presentColumn(target.spec);
    // `emails pr`: at least one element (RFC 7644 §3.4.2.2: pr on a multi-valued attribute).
    if (!target.explicitSub) return this.exists(target.spec, undefined);
    if (target.sub === undefined) throw notFilterable(target.label);
    return this.exists(target.spec, presentColumn(target.sub));
  }

  private compare(target: Target, node: CompareNode, twoValued: boolean): string {
    if (target.kind === 'column') return this.compareColumn(target.spec, node, target.label, twoValued);
    if (target.sub === undefined) throw notFilterable(target.label);
    // Any element matching satisfies the filter (RFC 7644 §3.4.2.2 on multi-valued attributes); EXISTS is never
    // UNKNOWN, so the inner test needs no NULL guard.
    return this.exists(target.spec, this.compareColumn(target.sub, node, target.label, false));
  }

  private valuePath(attr: AttrPath, filter: FilterNode, element: Element | undefined): string {
    const label = formatAttrPath(attr);
    const { multi } = element === undefined ? this.lookup(attr) : { multi: undefined };
    if (multi === undefined) throw ScimErrors.invalidFilter(`attribute "${label}" is not a filterable multi-valued attribute`);
    // One EXISTS: the bracket filter and any trailing `.sub op value` test the same element.
    return this.exists(multi, this.build(filter, { spec: multi, label }, false));
  }

  private compareColumn(spec: ColumnSpec, node: CompareNode, label: string, twoValued: boolean): string {
    const { op, value } = node;
    const c = spec.column;
    if (value === null) {
      // Decision: `eq null` means "has no value" (the negation of pr), `ne null` means pr; RFC 7644 leaves it open.
      if (op === 'eq') return absentColumn(spec);
      if (op === 'ne') return presentColumn(spec);
      throw ScimErrors.invalidFilter(`operator "${op}" cannot compare ${label} with null`);
    }
    const param = this.toParam(spec, op, value, label);
    this.params.push(param);
    if (op === 'ne') return `(${c} IS NULL OR ${c} <> ?)`;
    const test =
      op === 'eq' ? `${c} = ?`
      : op === 'co' || op === 'sw' || op === 'ew' ? `${c} LIKE ? ESCAPE '!'`
      : `${c} ${SQL_ORDER[op]} ?`;
    return twoValued ? `(${c} IS NOT NULL AND ${test})` : test;
  }

  private toParam(spec: ColumnSpec, op: CompareNode['op'], value: Exclude<FilterValue, null>, label: string): unknown {
    switch (spec.type) {
      case 'boolean':
        if (typeof value !== 'boolean') throw ScimErrors.invalidFilter(`${label} is a boolean and needs true or false`);
        // RFC 7644 §3.4.2.2: ordering a boolean is invalid; co/sw/ew never reach here with a boolean.
        if (op !== 'eq' && op !== 'ne') throw ScimErrors.invalidFilter(`operator "${op}" is not supported for boolean ${label}`);
        return value ? 1 : 0;
      case 'integer':
        if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw ScimErrors.invalidFilter(`${label} needs an integer value`);
        if (op === 'co' || op === 'sw' || op === 'ew') throw ScimErrors.invalidFilter(`operator "${op}" is not supported for ${label}`);
        return value;
      case 'datetime':
        if (typeof value !== 'string') throw ScimErrors.invalidFilter(`${label} needs a dateTime string`);
        if (op === 'co' || op === 'sw' || op === 'ew') throw ScimErrors.invalidFilter(`operator "${op}" is not supported for dateTime ${label}`);
        return parseDateTime(value, label);
      case 'string': {
        if (typeof value !== 'string') throw ScimErrors.invalidFilter(`${label} needs a string value`);
        // caseExact:false columns hold lower-cased values; lowering the parameter keeps the index usable, where
        // LOWER(column) would not.
        const v = spec.caseExact ? value : value.toLowerCase();
        if (op === 'co') return `%${escapeLike(v)}%`;
        if (op === 'sw') return `${escapeLike(v)}%`;
        if (op === 'ew') return `%${escapeLike(v)}`;
        return v;
      }
    }
  }
}

const SQL_ORDER = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function presentColumn(spec: ColumnSpec): string {
  // RFC 7643 §2.5: an empty string is "unassigned", so pr excludes it.
  return spec.type === 'string' ? `(${spec.column} IS NOT NULL AND ${spec.column} <> '')` : `${spec.column} IS NOT NULL`;
}

function absentColumn(spec: ColumnSpec): string {
  return spec.type === 'string' ? `(${spec.column} IS NULL OR ${spec.column} = '')` : `${spec.column} IS NULL`;
}

/** Own-property lookup, so `constructor` or `__proto__` in a filter never finds Object.prototype members. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function notFilterable(label: string): ScimError {
  return ScimErrors.invalidFilter(`attribute "${label}" is not filterable`);
}

/**
 * Turns a parsed filter into a parameterised WHERE fragment for MariaDB 10.11 and MySQL 8.4: only `?`
 * placeholders, values only in `params`, column names only from the caller's allow-list. The fragment is
 * parenthesised wherever it contains OR, so `WHERE u.tenant_id = ? AND ${sql}` is safe.
 * Datetime params are JS Dates: the connection must use `timezone: 'Z'` to match UTC-stored columns.
 * Throws only ScimError(400, invalidFilter).
 */
export function filterToSql(node: FilterNode, columns: FilterColumns): SqlFragment {
  const builder = new SqlBuilder(columns);
  const sql = builder.build(node, undefined, false);
  return { sql, params: builder.params };
}
