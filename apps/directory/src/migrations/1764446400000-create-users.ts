import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users and the provisioning dedupe/outcome table. Case-insensitive attributes (userName,
 * displayName; RFC 7643 caseExact=false) are stored twice: as sent, and lower-cased by the app in a
 * binary-collated column carrying the index. That keeps uniqueness and lookups identical on MariaDB
 * and MySQL 8.4 (their *_ci collations differ, and are accent-insensitive too).
 */
export class CreateUsers1764446400000 implements MigrationInterface {
  name = 'CreateUsers1764446400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        user_name VARCHAR(255) NOT NULL,
        user_name_lower VARCHAR(255) NOT NULL,
        external_id VARCHAR(255) NULL,
        display_name_lower VARCHAR(255) NULL,
        active TINYINT(1) NOT NULL,
        resource MEDIUMTEXT NOT NULL,
        version INT UNSIGNED NOT NULL,
        created_at DATETIME(3) NOT NULL,
        last_modified DATETIME(3) NOT NULL,
        CONSTRAINT pk_users PRIMARY KEY (tenant_id, id),
        CONSTRAINT uq_users_tenant_user_name UNIQUE (tenant_id, user_name_lower),
        INDEX ix_users_tenant_external_id (tenant_id, external_id),
        INDEX ix_users_tenant_display_name (tenant_id, display_name_lower),
        INDEX ix_users_tenant_active (tenant_id, active),
        INDEX ix_users_tenant_last_modified (tenant_id, last_modified)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await q.query(`
      CREATE TABLE processed_events (
        tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        event_type VARCHAR(64) NOT NULL,
        status SMALLINT UNSIGNED NOT NULL,
        outcome MEDIUMTEXT NULL,
        processed_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_processed_events PRIMARY KEY (tenant_id, event_id),
        INDEX ix_processed_events_processed_at (processed_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE processed_events');
    await q.query('DROP TABLE users');
  }
}
