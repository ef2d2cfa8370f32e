import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ScimErrors, type StoredUser, type UserAttributes } from '@taskize/scim-core';
import type { FilterColumns } from '@taskize/scim-filter';
import { DataSource } from 'typeorm';
import { ER_DUP_ENTRY, mysqlError, toIso, write, type Queryable, type StatementBatch } from '@taskize/db';
import { checkIfMatch } from '../shared/versioning';
import { CursorCache, listPage, type ListParams, type ListableTable, type SortKey } from '../shared/paging';
import { adjustCounter } from '../shared/counters';

/**
 * Filterable user attributes (RFC 7644 §3.4.2.2) → indexed columns. Anything not listed here is
 * refused with invalidFilter rather than scanned. caseExact=false columns hold lower-cased values.
 */
export const USER_FILTER_COLUMNS: FilterColumns = {
  attributes: {
    id: { column: 'u.id', type: 'string', caseExact: true },
    username: { column: 'u.user_name_lower', type: 'string', caseExact: false },
    externalid: { column: 'u.external_id', type: 'string', caseExact: true },
    displayname: { column: 'u.display_name_lower', type: 'string', caseExact: false },
    active: { column: 'u.active', type: 'boolean', caseExact: true },
    'meta.created': { column: 'u.created_at', type: 'datetime', caseExact: true },
    'meta.lastmodified': { column: 'u.last_modified', type: 'datetime', caseExact: true },
  },
  multiValued: {
    emails: {
      table: 'user_emails',
      alias: 'e',
      join: 'e.tenant_id = u.tenant_id AND e.user_id = u.id',
      subAttributes: {
        value: { column: 'e.value_lower', type: 'string', caseExact: false },
        type: { column: 'e.type_lower', type: 'string', caseExact: false },
        primary: { column: 'e.is_primary', type: 'boolean', caseExact: true },
      },
      defaultSubAttribute: 'value',
    },
  },
};

const INDEXED = new Set(['id', 'username', 'externalid', 'displayname', 'emails.value']);
const RANGED = new Set(['meta.created', 'meta.lastmodified']);

/** sortBy values (RFC 7644 §3.4.2.3) answered from an index; displayName/externalId may be NULL. */
const DEFAULT_SORT: SortKey = { column: 'u.id', nullable: false };
const SORT_KEYS: Record<string, SortKey> = {
  id: DEFAULT_SORT,
  username: { column: 'u.user_name_lower', nullable: false },
  displayname: { column: 'u.display_name_lower', nullable: true },
  externalid: { column: 'u.external_id', nullable: true },
  'meta.created': { column: 'u.created_at', nullable: false },
  'meta.lastmodified': { column: 'u.last_modified', nullable: false },
};

interface UserRow {
  id: string;
  sort_value?: unknown;
  resource: string;
  version: number;
  created_at: Date;
  last_modified: Date;
  account_id: string | null;
}

const USER_COLUMNS = 'u.id, u.resource, u.version, u.created_at, u.last_modified, u.account_id';
const SELECT_USER = `SELECT ${USER_COLUMNS} FROM users u`;

const USERS_TABLE: ListableTable = {
  resource: 'User',
  from: 'users u',
  alias: 'u',
  columns: USER_COLUMNS,
  filterColumns: USER_FILTER_COLUMNS,
  indexed: INDEXED,
  ranged: RANGED,
  sortKeys: SORT_KEYS,
  defaultSort: DEFAULT_SORT,
  idOrderIndex: 'ix_users_tenant_order',
  narrowHint: 'narrow it with eq or sw on id, userName, externalId, displayName or emails.value (or a meta.lastModified range)',
};

function toStored(row: UserRow): StoredUser {
  return {
    id: row.id,
    attributes: JSON.parse(row.resource) as UserAttributes,
    created: toIso(row.created_at),
    lastModified: toIso(row.last_modified),
    version: Number(row.version),
    ...(row.account_id ? { accountId: row.account_id } : {}),
  };
}

export function lower(value: string | undefined): string | null {
  return value === undefined ? null : value.toLowerCase();
}

@Injectable()
export class UsersStore {
  private readonly cursors = new CursorCache();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts a new user inside the caller's transaction; `undefined` when the userName is taken (any case). */
  async insert(q: Queryable, tenantId: string, id: string, user: UserAttributes, now: Date, accountId?: string): Promise<StoredUser | undefined> {
    try {
      await q.query(INSERT_USER, insertUserParams(tenantId, id, user, now, accountId));
    } catch (error) {
      if (mysqlError(error).errno === ER_DUP_ENTRY) return undefined;
      throw error;
    }
    await writeEmails(q, tenantId, id, user);
    await adjustCounter(q, tenantId, 'User', 1);
    return storedNew(id, user, now, accountId);
  }

  /**
   * `insert` with every statement queued, the users row too: a taken userName (or a redelivered create's own
   * row) is then a DeferredStatementError from the round trip that carries it, and the caller has to sort it
   * out. The directory's speculative create path (ProvisioningApplier) does, in one round trip for a create.
   */
  async insertQueued(q: StatementBatch, tenantId: string, id: string, user: UserAttributes, now: Date): Promise<StoredUser> {
    q.defer(INSERT_USER, insertUserParams(tenantId, id, user, now));
    await writeEmails(q, tenantId, id, user);
    await adjustCounter(q, tenantId, 'User', 1);
    return storedNew(id, user, now);
  }

  /**
   * Links a Taskize account to the tenant's user whose userName is `email` (any case), or creates that
   * user, active, with `email` as its userName and primary work email: the person Okta's `userName eq`
   * lookup then finds and links instead of creating a second one (issue 5 item 7, seed guide "Creates or
   * links a user"). An account already linked changes nothing. A user linked to another account is a
   * uniqueness conflict (the account's email was reused as someone else's userName).
   */
  async linkAccount(
    q: Queryable,
    tenantId: string,
    link: { resourceId: string; accountId: string; email: string },
    now: Date,
  ): Promise<{ kind: 'unchanged'; user: StoredUser } | { kind: 'created'; user: StoredUser } | { kind: 'linked'; before: StoredUser; after: StoredUser }> {
    const linked = (await q.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.account_id = ? FOR UPDATE`, [tenantId, link.accountId])) as UserRow[];
    if (linked[0]) return { kind: 'unchanged', user: toStored(linked[0]) };
    const byName = (await q.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.user_name_lower = ? FOR UPDATE`, [tenantId, link.email.toLowerCase()])) as UserRow[];
    const row = byName[0];
    if (row) {
      if (row.account_id) throw ScimErrors.uniqueness(`userName "${link.email}" is linked to another Taskize account`);
      const before = toStored(row);
      await q.query('UPDATE users SET account_id = ?, version = version + 1, last_modified = ? WHERE tenant_id = ? AND id = ?', [link.accountId, now, tenantId, before.id]);
      return { kind: 'linked', before, after: { ...before, accountId: link.accountId, lastModified: now.toISOString(), version: before.version + 1 } };
    }
    const user: UserAttributes = { userName: link.email, emails: [{ value: link.email, type: 'work', primary: true }], active: true };
    const created = await this.insert(q, tenantId, link.resourceId, user, now, link.accountId);
    if (!created) throw ScimErrors.uniqueness(`userName "${link.email}" is already taken`);
    return { kind: 'created', user: created };
  }

  /**
   * Replaces the stored attributes with `next(current)` inside the caller's transaction, row locked.
   * An unchanged result keeps the version (RFC 7644 §3.14: the version changes with the resource).
   */
  async update(
    q: Queryable,
    tenantId: string,
    id: string,
    ifMatch: string | undefined,
    now: Date,
    next: (current: UserAttributes) => UserAttributes,
  ): Promise<{ before: StoredUser; after: StoredUser }> {
    const rows = (await q.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.id = ? FOR UPDATE`, [tenantId, id])) as UserRow[];
    const row = rows[0];
    if (!row) throw ScimErrors.notFound(`User ${id} not found`);
    const current = toStored(row);
    checkIfMatch(ifMatch, current.version);
    const user = next(current.attributes);
    if (JSON.stringify(user) === JSON.stringify(current.attributes)) return { before: current, after: current };
    try {
      await q.query(
        `UPDATE users SET user_name = ?, user_name_lower = ?, external_id = ?, display_name_lower = ?, active = ?, resource = ?,
           version = version + 1, last_modified = ? WHERE tenant_id = ? AND id = ?`,
        [user.userName, user.userName.toLowerCase(), user.externalId ?? null, lower(user.displayName), user.active ? 1 : 0, JSON.stringify(user), now, tenantId, id],
      );
    } catch (error) {
      if (mysqlError(error).errno === ER_DUP_ENTRY) throw ScimErrors.uniqueness(`userName "${user.userName}" is already taken`);
      throw error;
    }
    if (JSON.stringify(user.emails) !== JSON.stringify(current.attributes.emails)) {
      await write(q, 'DELETE FROM user_emails WHERE tenant_id = ? AND user_id = ?', [tenantId, id]);
      await writeEmails(q, tenantId, id, user);
    }
    return { before: current, after: { ...current, attributes: user, lastModified: now.toISOString(), version: current.version + 1 } };
  }

  /** Deletes the user and every membership of it (Entra deletes; Okta deactivates instead). Returns it as it was and the groups it left. */
  async remove(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined): Promise<{ before: StoredUser; groups: string[] }> {
    const rows = (await q.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.id = ? FOR UPDATE`, [tenantId, id])) as UserRow[];
    const row = rows[0];
    if (!row) throw ScimErrors.notFound(`User ${id} not found`);
    const before = toStored(row);
    checkIfMatch(ifMatch, before.version);
    const groups = ((await q.query('SELECT group_id FROM group_members WHERE tenant_id = ? AND member_id = ?', [tenantId, id])) as { group_id: string }[]).map(
      (r) => r.group_id,
    );
    await write(q, 'DELETE FROM group_members WHERE tenant_id = ? AND member_id = ?', [tenantId, id]);
    await write(q, 'DELETE FROM user_emails WHERE tenant_id = ? AND user_id = ?', [tenantId, id]);
    await write(q, 'DELETE FROM users WHERE tenant_id = ? AND id = ?', [tenantId, id]);
    await adjustCounter(q, tenantId, 'User', -1);
    return { before, groups };
  }

  async findById(tenantId: string, id: string): Promise<StoredUser | undefined> {
    const rows = (await this.db.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.id = ?`, [tenantId, id])) as UserRow[];
    return rows[0] && toStored(rows[0]);
  }

  async list(tenantId: string, params: ListParams): Promise<{ totalResults: number; resources: StoredUser[] }> {
    const { totalResults, rows } = await listPage<UserRow>(this.db, USERS_TABLE, this.cursors, tenantId, params);
    return { totalResults, resources: rows.map(toStored) };
  }
}

/** emails.value/type lower-cased (caseExact false) into their own indexed table. */
const INSERT_USER = `INSERT INTO users (tenant_id, id, user_name, user_name_lower, external_id, display_name_lower, active, resource, version, created_at, last_modified, account_id)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`;

function insertUserParams(tenantId: string, id: string, user: UserAttributes, now: Date, accountId?: string): unknown[] {
  return [tenantId, id, user.userName, user.userName.toLowerCase(), user.externalId ?? null, lower(user.displayName), user.active ? 1 : 0, JSON.stringify(user), now, now, accountId ?? null];
}

function storedNew(id: string, user: UserAttributes, now: Date, accountId?: string): StoredUser {
  return { id, attributes: user, created: now.toISOString(), lastModified: now.toISOString(), version: 1, ...(accountId ? { accountId } : {}) };
}

async function writeEmails(q: Queryable, tenantId: string, userId: string, user: UserAttributes): Promise<void> {
  const emails = (user.emails ?? []).filter((e) => typeof e.value === 'string' && e.value !== '');
  if (!emails.length) return;
  await write(
    q,
    `INSERT INTO user_emails (tenant_id, user_id, position, value_lower, type_lower, is_primary) VALUES ${emails.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
    emails.flatMap((e, i) => [tenantId, userId, i, (e.value ?? '').toLowerCase().slice(0, 255), e.type?.toLowerCase().slice(0, 64) ?? null, e.primary ? 1 : 0]),
  );
}
