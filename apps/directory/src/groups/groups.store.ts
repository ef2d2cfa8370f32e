import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { toIso, write, type Queryable } from '@taskize/db';
import { ScimErrors, type GroupAttributes, type GroupMember, type StoredGroup } from '@taskize/scim-core';
import type { FilterColumns } from '@taskize/scim-filter';
import type { GroupPatchPlan } from '@taskize/scim-patch';
import { DataSource } from 'typeorm';
import { checkIfMatch } from '../shared/versioning';
import { adjustCounter } from '../shared/counters';
import { CursorCache, listPage, type ListParams, type ListableTable, type SortKey } from '../shared/paging';

const INDEXED = new Set(['id', 'displayname', 'externalid', 'members.value']);
const RANGED = new Set(['meta.created', 'meta.lastmodified']);
const DEFAULT_SORT: SortKey = { column: 'g.id', nullable: false };
const SORT_KEYS: Record<string, SortKey> = {
  id: DEFAULT_SORT,
  displayname: { column: 'g.display_name_lower', nullable: false },
  externalid: { column: 'g.external_id', nullable: true },
  'meta.created': { column: 'g.created_at', nullable: false },
  'meta.lastmodified': { column: 'g.last_modified', nullable: false },
};

export const GROUP_FILTER_COLUMNS: FilterColumns = {
  attributes: {
    id: { column: 'g.id', type: 'string', caseExact: true },
    displayname: { column: 'g.display_name_lower', type: 'string', caseExact: false },
    externalid: { column: 'g.external_id', type: 'string', caseExact: true },
    'meta.created': { column: 'g.created_at', type: 'datetime', caseExact: true },
    'meta.lastmodified': { column: 'g.last_modified', type: 'datetime', caseExact: true },
  },
  multiValued: {
    members: {
      table: 'group_members',
      alias: 'gm',
      join: 'gm.tenant_id = g.tenant_id AND gm.group_id = g.id',
      subAttributes: {
        value: { column: 'gm.member_id', type: 'string', caseExact: true },
        type: { column: 'gm.member_type', type: 'string', caseExact: true },
      },
      defaultSubAttribute: 'value',
    },
  },
};

/** What a write did, for the reply and the outbox event. */
export interface GroupChange {
  before: StoredGroup;
  after: StoredGroup;
  added: GroupMember[];
  removed: string[];
}

interface GroupRow {
  id: string;
  sort_value?: unknown;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: Date;
  last_modified: Date;
}

const GROUP_COLUMNS = 'g.id, g.display_name, g.external_id, g.version, g.created_at, g.last_modified';
const SELECT_GROUP = `SELECT ${GROUP_COLUMNS} FROM scim_groups g`;

const GROUPS_TABLE: ListableTable = {
  resource: 'Group',
  from: 'scim_groups g',
  alias: 'g',
  columns: GROUP_COLUMNS,
  filterColumns: GROUP_FILTER_COLUMNS,
  indexed: INDEXED,
  ranged: RANGED,
  sortKeys: SORT_KEYS,
  defaultSort: DEFAULT_SORT,
  idOrderIndex: 'ix_scim_groups_tenant_order',
  narrowHint: 'narrow it with eq or sw on id, displayName or externalId',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Rows per multi-row statement; keeps each statement well under max_allowed_packet. */
const BATCH = 1000;

function toStored(row: GroupRow, members?: GroupMember[]): StoredGroup {
  return {
    id: row.id,
    displayName: row.display_name,
    ...(row.external_id === null ? {} : { externalId: row.external_id }),
    ...(members ? { members } : {}),
    created: toIso(row.created_at),
    lastModified: toIso(row.last_modified),
    version: Number(row.version),
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

@Injectable()
export class GroupsStore {
  private readonly cursors = new CursorCache();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(q: Queryable, tenantId: string, id: string, group: GroupAttributes, now: Date): Promise<StoredGroup> {
    await q.query(
      `INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, version, created_at, last_modified)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?)`,
      [tenantId, id, group.displayName, group.displayName.toLowerCase(), group.externalId ?? null, now, now],
    );
    const { members } = await this.addMembers(q, tenantId, id, group.members ?? []);
    await adjustCounter(q, tenantId, 'Group', 1);
    return { id, displayName: group.displayName, ...(group.externalId ? { externalId: group.externalId } : {}), members, created: now.toISOString(), lastModified: now.toISOString(), version: 1 };
  }

  /** PUT: attributes and the full member list replaced (applied as the difference to what is stored). */
  async replace(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined, group: GroupAttributes, now: Date): Promise<GroupChange> {
    const before = await this.lock(q, tenantId, id, ifMatch);
    const change = await this.apply(q, tenantId, before, now, {
      displayName: group.displayName,
      externalId: group.externalId ?? null,
      members: { replaceAll: group.members ?? [], add: [], remove: [] },
      changed: [],
    });
    const members = (await this.membersOf(tenantId, [id], q)).get(id) ?? [];
    return { ...change, after: { ...change.after, members } };
  }

  /**
   * PATCH as set deltas: renames and member adds/removes touch only the rows named in the request, so
   * one member change costs the same for a 10-member and a 100,000-member group. Re-adding a member
   * or removing an absent one changes nothing (and keeps the version).
   */
  async patch(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined, plan: GroupPatchPlan, now: Date): Promise<GroupChange> {
    return this.apply(q, tenantId, await this.lock(q, tenantId, id, ifMatch), now, plan);
  }

  private async apply(q: Queryable, tenantId: string, before: StoredGroup, now: Date, plan: GroupPatchPlan): Promise<GroupChange> {
    const id = before.id;
    const displayName = plan.displayName ?? before.displayName;
    const externalId = plan.externalId === undefined ? before.externalId : (plan.externalId ?? undefined);
    const added: GroupMember[] = [];
    const removed: string[] = [];

    const { replaceAll, add, remove } = plan.members;
    let toRemove = remove.map((v) => v.toLowerCase());
    let toAdd = add;
    if (replaceAll) {
      // Cost grows with the group here, as it must: the request names every member.
      const wanted = new Set(replaceAll.map((m) => m.value.toLowerCase()));
      const current = (await this.membersOf(tenantId, [id], q)).get(id) ?? [];
      toRemove = [...current.filter((m) => !wanted.has(m.value)).map((m) => m.value), ...toRemove.filter((v) => !wanted.has(v))];
      toAdd = [...replaceAll, ...add];
    }
    for (const ids of chunks([...new Set(toRemove)])) {
      const present = (await q.query(
        `SELECT member_id FROM group_members WHERE tenant_id = ? AND group_id = ? AND member_id IN (${placeholders(ids.length)})`,
        [tenantId, id, ...ids],
      )) as { member_id: string }[];
      if (!present.length) continue;
      const gone = present.map((r) => r.member_id);
      await write(q, `DELETE FROM group_members WHERE tenant_id = ? AND group_id = ? AND member_id IN (${placeholders(gone.length)})`, [tenantId, id, ...gone]);
      removed.push(...gone);
    }
    if (toAdd.length) added.push(...(await this.addMembers(q, tenantId, id, toAdd)).inserted);

    const renamed = displayName !== before.displayName;
    if (!renamed && externalId === before.externalId && !added.length && !removed.length) {
      return { before, after: before, added, removed };
    }
    await write(
      q,
      `UPDATE scim_groups SET display_name = ?, display_name_lower = ?, external_id = ?, version = version + 1, last_modified = ?
       WHERE tenant_id = ? AND id = ?`,
      [displayName, displayName.toLowerCase(), externalId ?? null, now, tenantId, id],
    );
    const { externalId: _dropped, ...rest } = before;
    const after: StoredGroup = { ...rest, displayName, ...(externalId ? { externalId } : {}), lastModified: now.toISOString(), version: before.version + 1 };
    return { before, after, added, removed };
  }

  /** Returns the group as it was (its final version is before.version + 1) and its former members. */
  async remove(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined): Promise<{ before: StoredGroup; members: string[] }> {
    const before = await this.lock(q, tenantId, id, ifMatch);
    const members = ((await this.membersOf(tenantId, [id], q)).get(id) ?? []).map((m) => m.value);
    await write(q, 'DELETE FROM group_members WHERE tenant_id = ? AND group_id = ?', [tenantId, id]);
    await write(q, 'DELETE FROM group_members WHERE tenant_id = ? AND member_id = ?', [tenantId, id]);
    await write(q, 'DELETE FROM scim_groups WHERE tenant_id = ? AND id = ?', [tenantId, id]);
    await adjustCounter(q, tenantId, 'Group', -1);
    return { before, members };
  }

  private async lock(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined): Promise<StoredGroup> {
    const rows = (await q.query(`${SELECT_GROUP} WHERE g.tenant_id = ? AND g.id = ? FOR UPDATE`, [tenantId, id])) as GroupRow[];
    const row = rows[0];
    if (!row) throw ScimErrors.notFound(`Group ${id} not found`);
    const current = toStored(row);
    checkIfMatch(ifMatch, current.version);
    return current;
  }

  /**
   * Adds members that must be users (or groups) of the same organisation — anything else is
   * invalidValue, never a silent cross-tenant link. Returns the members as stored and those that
   * were not members before.
   */
  private async addMembers(q: Queryable, tenantId: string, groupId: string, members: readonly GroupMember[]): Promise<{ members: GroupMember[]; inserted: GroupMember[] }> {
    if (!members.length) return { members: [], inserted: [] };
    const wanted = new Map<string, GroupMember>();
    for (const m of members) wanted.set(m.value.toLowerCase(), m);
    const ids = [...wanted.keys()];
    const invalid = ids.filter((v) => !UUID.test(v) || v === groupId);
    const found = new Map<string, 'User' | 'Group'>();
    for (const batch of chunks(ids.filter((v) => UUID.test(v)))) {
      const users = (await q.query(`SELECT id FROM users WHERE tenant_id = ? AND id IN (${placeholders(batch.length)})`, [tenantId, ...batch])) as { id: string }[];
      for (const u of users) found.set(u.id, 'User');
      const groups = (await q.query(`SELECT id FROM scim_groups WHERE tenant_id = ? AND id IN (${placeholders(batch.length)})`, [tenantId, ...batch])) as {
        id: string;
      }[];
      for (const g of groups) if (!found.has(g.id)) found.set(g.id, 'Group');
    }
    const missing = [
      ...invalid,
      ...ids.filter((v) => {
        if (invalid.includes(v)) return false;
        const type = found.get(v);
        const asked = wanted.get(v)?.type;
        return !type || (asked !== undefined && asked !== type);
      }),
    ];
    if (missing.length) {
      const shown = missing.slice(0, 5).join(', ');
      throw ScimErrors.invalidValue(`members must be users or groups of this organisation; not found: ${shown}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    }
    // Only rows that are not there yet: "re-adding an existing member is a no-op" must not count as a
    // change (mysql2 connects with CLIENT_FOUND_ROWS, so ON DUPLICATE KEY reports matched rows as affected).
    // The group row is locked FOR UPDATE by the caller, so nobody inserts in between.
    const present = new Set<string>();
    for (const batch of chunks(ids)) {
      const rows = (await q.query(`SELECT member_id FROM group_members WHERE tenant_id = ? AND group_id = ? AND member_id IN (${placeholders(batch.length)})`, [
        tenantId,
        groupId,
        ...batch,
      ])) as { member_id: string }[];
      for (const r of rows) present.add(r.member_id);
    }
    const fresh = ids.filter((v) => !present.has(v));
    for (const batch of chunks(fresh)) {
      await write(
        q,
        `INSERT INTO group_members (tenant_id, group_id, member_id, member_type) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((v) => [tenantId, groupId, v, found.get(v)]),
      );
    }
    const typed = (v: string): GroupMember => ({ value: v, type: found.get(v) ?? 'User' });
    return { members: ids.map(typed), inserted: fresh.map(typed) };
  }

  async findById(tenantId: string, id: string, opts: { members: boolean }): Promise<StoredGroup | undefined> {
    const rows = (await this.db.query(`${SELECT_GROUP} WHERE g.tenant_id = ? AND g.id = ?`, [tenantId, id])) as GroupRow[];
    const row = rows[0];
    if (!row) return undefined;
    return toStored(row, opts.members ? (await this.membersOf(tenantId, [id])).get(id) ?? [] : undefined);
  }

  async list(tenantId: string, params: ListParams & { members: boolean }): Promise<{ totalResults: number; resources: StoredGroup[] }> {
    const { totalResults, rows } = await listPage<GroupRow>(this.db, GROUPS_TABLE, this.cursors, tenantId, params);
    const members = params.members && rows.length ? await this.membersOf(tenantId, rows.map((r) => r.id)) : undefined;
    return { totalResults, resources: rows.map((r) => toStored(r, members ? (members.get(r.id) ?? []) : undefined)) };
  }

  private async membersOf(tenantId: string, groupIds: string[], q: Queryable = this.db): Promise<Map<string, GroupMember[]>> {
    const rows = (await q.query(
      `SELECT group_id, member_id, member_type FROM group_members WHERE tenant_id = ? AND group_id IN (${placeholders(groupIds.length)}) ORDER BY group_id, member_id`,
      [tenantId, ...groupIds],
    )) as { group_id: string; member_id: string; member_type: 'User' | 'Group' }[];
    const out = new Map<string, GroupMember[]>();
    for (const r of rows) {
      const list = out.get(r.group_id) ?? [];
      list.push({ value: r.member_id, type: r.member_type });
      out.set(r.group_id, list);
    }
    return out;
  }
}
