import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * - user_emails: `emails.value` answered from an index (Okta and Entra look users up by email,
 *   e.g. `emails[type eq "work"].value eq "…"`); values and types lower-cased (caseExact false).
 * - tenant_counters: totalResults of an unfiltered list without counting the tenant's rows, and the
 *   directory size the `tooMany` rule looks at (docs/scim.md).
 * - ix_users_tenant_created: sortBy=meta.created.
 */
export class UserEmailsAndCounters1764470000000 implements MigrationInterface {
  name = 'UserEmailsAndCounters1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_emails (
        tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        user_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        position SMALLINT UNSIGNED NOT NULL,
        value_lower VARCHAR(255) NOT NULL,
        type_lower VARCHAR(64) NULL,
        is_primary TINYINT(1) NOT NULL,
        CONSTRAINT pk_user_emails PRIMARY KEY (tenant_id, user_id, position),
        INDEX ix_user_emails_tenant_value (tenant_id, value_lower)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await q.query(`
      CREATE TABLE tenant_counters (
        tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        resource_type VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        total INT UNSIGNED NOT NULL,
        CONSTRAINT pk_tenant_counters PRIMARY KEY (tenant_id, resource_type)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await q.query('CREATE INDEX ix_users_tenant_created ON users (tenant_id, created_at)');
    // Backfill from rows that exist already (a no-op on a fresh schema).
    await q.query(`INSERT INTO tenant_counters (tenant_id, resource_type, total) SELECT tenant_id, 'User', COUNT(*) FROM users GROUP BY tenant_id`);
    await q.query(`INSERT INTO tenant_counters (tenant_id, resource_type, total) SELECT tenant_id, 'Group', COUNT(*) FROM scim_groups GROUP BY tenant_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_users_tenant_created ON users');
    await q.query('DROP TABLE tenant_counters');
    await q.query('DROP TABLE user_emails');
  }
}
