import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StoredUser, UserAttributes } from '@taskize/scim-core';
import { filterToSql, type FilterColumns, type FilterNode } from '@taskize/scim-filter';
import { DataSource } from 'typeorm';
import { ER_DUP_ENTRY, mysqlError, toIso, type Queryable } from '@taskize/db';

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
