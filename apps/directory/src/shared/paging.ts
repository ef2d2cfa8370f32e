import { ScimErrors } from '@taskize/scim-core';
import { filterToSql, type FilterColumns, type FilterNode } from '@taskize/scim-filter';
import { tenantTotal, type CountedResource } from './counters';

export interface SortKey {
  /** SQL column, e.g. `u.user_name_lower`; NOT NULL columns only get keyset continuation. */
  column: string;
  nullable: boolean;
}

export interface Cursor {
  value: unknown;
  id: string;
}

/**
 * startIndex → keyset. SCIM pages by position (RFC 7644 §3.4.2.4), which MySQL answers with OFFSET at
 * a cost growing with the position. Clients page sequentially (Okta's import, Entra's sync), so
 * when the page at startIndex s has been served, the cursor of its last row is remembered for
 * s + count: the next page is a keyset seek, costing the same at page 1,000 as at page 1. A miss
 * (a jump, another directory replica, an expired entry) falls back to OFFSET — same result.
 * Keyset pages are also stable under concurrent inserts and deletes, unlike OFFSET.
 */
export class CursorCache {
  private readonly entries = new Map<string, { cursor: Cursor; expires: number }>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly ttlMs = 15 * 60_000,
  ) {}

  get(key: string): Cursor | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.cursor;
  }

  set(key: string, cursor: Cursor): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { cursor, expires: Date.now() + this.ttlMs });
  }
}

export interface PageParams {
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder?: string;
}

/** Rows of the page plus the SQL pieces the store runs; one implementation for users and groups. */
export function keysetOrOffset(
  sort: SortKey,
  idColumn: string,
  descending: boolean,
  cursor: Cursor | undefined,
  startIndex: number,
): { where: string; whereParams: unknown[]; orderBy: string; limitTail: string; tailParams: unknown[] } {
  const dir = descending ? 'DESC' : 'ASC';
  const cmp = descending ? '<' : '>';
  const orderBy = sort.column === idColumn ? `${idColumn} ${dir}` : `${sort.column} ${dir}, ${idColumn} ${dir}`;
  if (cursor && !sort.nullable) {
    if (sort.column === idColumn) return { where: `${idColumn} ${cmp} ?`, whereParams: [cursor.id], orderBy, limitTail: 'LIMIT ?', tailParams: [] };
    return {
      where: `(${sort.column} ${cmp} ? OR (${sort.column} = ? AND ${idColumn} ${cmp} ?))`,
      whereParams: [cursor.value, cursor.value, cursor.id],
      orderBy,
      limitTail: 'LIMIT ?',
      tailParams: [],
    };
  }
  return { where: '1=1', whereParams: [], orderBy, limitTail: 'LIMIT ? OFFSET ?', tailParams: [startIndex - 1] };
}

export function resolveSort(sortBy: string | undefined, sortOrder: string | undefined, keys: Record<string, SortKey>, fallback: SortKey): { sort: SortKey; descending: boolean } {
  let sort = fallback;
  if (sortBy !== undefined && sortBy !== '') {
    const found = keys[sortBy.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '')];
    if (!found) throw ScimErrors.invalidValue(`sortBy "${sortBy}" is not supported; use one of ${Object.keys(keys).join(', ')}`);
    sort = found;
  }
  const order = (sortOrder ?? 'ascending').toLowerCase();
  if (order !== 'ascending' && order !== 'descending') throw ScimErrors.invalidValue('sortOrder must be "ascending" or "descending"');
  return { sort, descending: order === 'descending' };
}

/**
 * The `tooMany` rule (docs/scim.md): a filter is selective when an index narrows it — `eq`/`sw` on
 * an indexed attribute, a range on meta timestamps — in every branch of an `or`, or in one branch
 * of an `and`. A non-selective filter (`co`, `ew`, `ne`, `not`, `pr`, `active eq …` alone) is refused
 * with 400 tooMany on a tenant with more than LARGE_TENANT resources, rather than scanning it.
 */
export const LARGE_TENANT = 10_000;

export function isSelective(node: FilterNode, indexed: ReadonlySet<string>, ranged: ReadonlySet<string>): boolean {
  switch (node.kind) {
    case 'compare': {
      const name = node.path.subAttr ? `${node.path.attr}.${node.path.subAttr}` : node.path.attr;
      if ((node.op === 'eq' || node.op === 'sw') && node.value !== null && indexed.has(name)) return true;
      return ['gt', 'ge', 'lt', 'le'].includes(node.op) && ranged.has(name);
    }
    case 'and':
      return isSelective(node.left, indexed, ranged) || isSelective(node.right, indexed, ranged);
    case 'or':
      return isSelective(node.left, indexed, ranged) && isSelective(node.right, indexed, ranged);
    case 'valuePath':
      return prefixed(node.filter, node.attr.attr, indexed, ranged);
    default:
      return false;
  }
}

/** Inside `emails[...]` the comparisons name sub-attributes; check them as `emails.value` etc. */
function prefixed(node: FilterNode, attr: string, indexed: ReadonlySet<string>, ranged: ReadonlySet<string>): boolean {
  switch (node.kind) {
    case 'compare':
      return isSelective({ ...node, path: { attr, subAttr: node.path.attr } }, indexed, ranged);
    case 'and':
      return prefixed(node.left, attr, indexed, ranged) || prefixed(node.right, attr, indexed, ranged);
    case 'or':
      return prefixed(node.left, attr, indexed, ranged) && prefixed(node.right, attr, indexed, ranged);
    default:
      return false;
  }
}

interface Db {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface PageSpec<Row> {
  /** `SELECT … FROM users u` — the alias must match the columns used in filters and sort keys. */
  select: string;
  /** `users u`: the table and alias, for the narrow inner query of the OFFSET fallback. */
  from: string;
  /**
   * The narrow (tenant_id, id) index for OFFSET in id order. Named explicitly: both MariaDB and MySQL
   * otherwise scan the clustered index (whole rows), twice as slow at an offset of 100k.
   */
  idOrderIndex: string;
  tenantColumn: string;
  idColumn: string;
  tenantId: string;
  filter: { sql: string; params: unknown[] };
  sort: SortKey;
  descending: boolean;
  startIndex: number;
  count: number;
  cache: CursorCache;
  /** Identifies the listing (tenant, resource, filter text, sort) for the cursor cache. */
  cacheKey: string;
  /** The row's value of the sort column, for the next page's cursor. */
  sortValue(row: Row): unknown;
  rowId(row: Row): string;
}

/** One page in the order asked, by keyset continuation when the previous page was served here. */
export async function fetchPage<Row>(db: Db, spec: PageSpec<Row>): Promise<Row[]> {
  if (spec.count === 0) return [];
  const cursor = spec.cache.get(`${spec.cacheKey}|${spec.startIndex}`);
  const page = keysetOrOffset(spec.sort, spec.idColumn, spec.descending, cursor, spec.startIndex);
  const where = `${spec.tenantColumn} = ? AND (${spec.filter.sql}) AND ${page.where}`;
  const params = [spec.tenantId, ...spec.filter.params, ...page.whereParams, spec.count, ...page.tailParams];
  // A deep OFFSET without a filter: skip entries of the narrow (tenant_id, id) index, then read only
  // the page's rows (a deferred join). With a filter, or at offset 0, the optimizer's own index choice
  // is right (forcing the narrow index there turns `userName eq` into a walk of the whole tenant).
  const deferred = page.tailParams.length > 0 && Number(page.tailParams[0]) > 0 && spec.filter.sql === '1=1' && spec.sort.column === spec.idColumn;
  const sql = deferred
    ? `${spec.select} JOIN (SELECT ${spec.idColumn} AS page_id FROM ${spec.from} FORCE INDEX (${spec.idOrderIndex})
         WHERE ${where} ORDER BY ${page.orderBy} ${page.limitTail}) page ON ${spec.tenantColumn} = ? AND ${spec.idColumn} = page.page_id ORDER BY ${page.orderBy}`
    : `${spec.select} WHERE ${where} ORDER BY ${page.orderBy} ${page.limitTail}`;
  const rows = (await db.query(sql, deferred ? [...params, spec.tenantId] : params)) as Row[];
  const last = rows.at(-1);
  if (last && rows.length === spec.count) {
    spec.cache.set(`${spec.cacheKey}|${spec.startIndex + rows.length}`, { value: spec.sortValue(last), id: spec.rowId(last) });
  }
  return rows;
}

/** A listable resource table: what users and groups differ in when answering a SCIM list. */
export interface ListableTable {
  resource: CountedResource;
  /** `users u` */
  from: string;
  /** The alias, e.g. `u`; its columns `tenant_id` and `id` exist on every listable table. */
  alias: string;
  /** Columns read for each row (besides the sort value). */
  columns: string;
  filterColumns: FilterColumns;
  indexed: ReadonlySet<string>;
  ranged: ReadonlySet<string>;
  sortKeys: Record<string, SortKey>;
  defaultSort: SortKey;
  idOrderIndex: string;
  /** How to narrow a refused filter, for the tooMany detail. */
  narrowHint: string;
}

export interface ListParams {
  filter?: FilterNode;
  filterText?: string;
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder?: string;
}

/**
 * One SCIM list (RFC 7644 §3.4.2): the tooMany rule, totalResults (the tenant counter when
 * unfiltered, an indexed COUNT otherwise) and the page, by keyset continuation or OFFSET.
 */
export async function listPage<Row extends { id: string; sort_value?: unknown }>(
  db: Db,
  table: ListableTable,
  cache: CursorCache,
  tenantId: string,
  params: ListParams,
): Promise<{ totalResults: number; rows: Row[] }> {
  const a = table.alias;
  const filter = params.filter ? filterToSql(params.filter, table.filterColumns) : { sql: '1=1', params: [] };
  const { sort, descending } = resolveSort(params.sortBy, params.sortOrder, table.sortKeys, table.defaultSort);
  const size = await tenantTotal(db, tenantId, table.resource);
  let totalResults = size;
  if (params.filter) {
    if (size > LARGE_TENANT && !isSelective(params.filter, table.indexed, table.ranged)) {
      throw ScimErrors.tooMany(`this filter would scan all ${size} ${table.resource.toLowerCase()}s; ${table.narrowHint}`);
    }
    const [{ total }] = (await db.query(`SELECT COUNT(*) AS total FROM ${table.from} WHERE ${a}.tenant_id = ? AND (${filter.sql})`, [tenantId, ...filter.params])) as [
      { total: number | string },
    ];
    totalResults = Number(total);
  }
  const rows = await fetchPage<Row>(db, {
    select: `SELECT ${table.columns}, ${sort.column} AS sort_value FROM ${table.from}`,
    from: table.from,
    idOrderIndex: table.idOrderIndex,
    tenantColumn: `${a}.tenant_id`,
    idColumn: `${a}.id`,
    tenantId,
    filter,
    sort,
    descending,
    startIndex: params.startIndex,
    count: params.count,
    cache,
    cacheKey: `${tenantId}|${table.resource}|${params.filterText ?? ''}|${sort.column}|${descending}`,
    sortValue: (r) => r.sort_value,
    rowId: (r) => r.id,
  });
  return { totalResults, rows };
}
