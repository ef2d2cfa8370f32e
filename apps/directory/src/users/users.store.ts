import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ScimErrors, type StoredUser, type UserAttributes } from '@taskize/scim-core';
import { filterToSql, type FilterColumns, type FilterNode } from '@taskize/scim-filter';
import { DataSource } from 'typeorm';
import { ER_DUP_ENTRY, mysqlError, toIso, type Queryable } from '@taskize/db';
import { checkIfMatch } from '../shared/versioning';

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
};

interface UserRow {
  id: string;
  resource: string;
  version: number;
  created_at: Date;
  last_modified: Date;
}

const SELECT_USER = 'SELECT u.id, u.resource, u.version, u.created_at, u.last_modified FROM users u';

function toStored(row: UserRow): StoredUser {
  return {
    id: row.id,
    attributes: JSON.parse(row.resource) as UserAttributes,
    created: toIso(row.created_at),
    lastModified: toIso(row.last_modified),
    version: Number(row.version),
  };
}

export function lower(value: string | undefined): string | null {
  return value === undefined ? null : value.toLowerCase();
}

@Injectable()
export class UsersStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts a new user inside the caller's transaction; `undefined` when the userName is taken (any case). */
  async insert(q: Queryable, tenantId: string, id: string, user: UserAttributes, now: Date): Promise<StoredUser | undefined> {
    try {
      await q.query(
        `INSERT INTO users (tenant_id, id, user_name, user_name_lower, external_id, display_name_lower, active, resource, version, created_at, last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        [tenantId, id, user.userName, user.userName.toLowerCase(), user.externalId ?? null, lower(user.displayName), user.active ? 1 : 0, JSON.stringify(user), now, now],
      );
    } catch (error) {
      if (mysqlError(error).errno === ER_DUP_ENTRY) return undefined;
      throw error;
    }
    return { id, attributes: user, created: now.toISOString(), lastModified: now.toISOString(), version: 1 };
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
  ): Promise<StoredUser> {
    const rows = (await q.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.id = ? FOR UPDATE`, [tenantId, id])) as UserRow[];
    const row = rows[0];
    if (!row) throw ScimErrors.notFound(`User ${id} not found`);
    const current = toStored(row);
    checkIfMatch(ifMatch, current.version);
    const user = next(current.attributes);
    if (JSON.stringify(user) === JSON.stringify(current.attributes)) return current;
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
    return { ...current, attributes: user, lastModified: now.toISOString(), version: current.version + 1 };
  }

  /** Deletes the user and every membership of it (Entra deletes; Okta deactivates instead). */
  async remove(q: Queryable, tenantId: string, id: string, ifMatch: string | undefined): Promise<void> {
    const rows = (await q.query('SELECT version FROM users WHERE tenant_id = ? AND id = ? FOR UPDATE', [tenantId, id])) as { version: number }[];
    const row = rows[0];
    if (!row) throw ScimErrors.notFound(`User ${id} not found`);
    checkIfMatch(ifMatch, Number(row.version));
    await q.query('DELETE FROM group_members WHERE tenant_id = ? AND member_id = ?', [tenantId, id]);
    await q.query('DELETE FROM users WHERE tenant_id = ? AND id = ?', [tenantId, id]);
  }

  async findById(tenantId: string, id: string): Promise<StoredUser | undefined> {
    const rows = (await this.db.query(`${SELECT_USER} WHERE u.tenant_id = ? AND u.id = ?`, [tenantId, id])) as UserRow[];
    return rows[0] && toStored(rows[0]);
  }

  async list(tenantId: string, opts: { filter?: FilterNode; startIndex: number; count: number }): Promise<{ totalResults: number; resources: StoredUser[] }> {
    const where = opts.filter ? filterToSql(opts.filter, USER_FILTER_COLUMNS) : { sql: '1=1', params: [] };
    const params = [tenantId, ...where.params];
    const [{ total }] = (await this.db.query(`SELECT COUNT(*) AS total FROM users u WHERE u.tenant_id = ? AND (${where.sql})`, params)) as [{ total: number | string }];
    const resources =
      opts.count === 0
        ? []
        : ((await this.db.query(`${SELECT_USER} WHERE u.tenant_id = ? AND (${where.sql}) ORDER BY u.id LIMIT ? OFFSET ?`, [
            ...params,
            opts.count,
            opts.startIndex - 1,
          ])) as UserRow[]).map(toStored);
    return { totalResults: Number(total), resources };
  }
}
