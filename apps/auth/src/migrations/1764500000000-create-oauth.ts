import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

/**
 * The authorization server (issue 5): Taskize accounts and their organisation memberships, the OAuth
 * clients, oidc-provider's models (one table, ids stored only as SHA-256 hashes), connections (one
 * approved grant per organisation and client) and sign-in throttling counters.
 */
export class CreateOauth1764500000000 implements MigrationInterface {
  name = 'CreateOauth1764500000000';

  async up(q: QueryRunner): Promise<void> {
    // email is stored lower-cased by the store; utf8mb4_bin keeps the unique index exact.
    await q.query(`
      CREATE TABLE users (
        id CHAR(36) ${ASCII} NOT NULL,
        email VARCHAR(320) NOT NULL,
        password_hash VARCHAR(255) ${ASCII} NOT NULL,
        disabled_at DATETIME(3) NULL,
        created_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_email UNIQUE (email)
      ) ${TABLE_OPTIONS}`);
    await q.query(`
      CREATE TABLE memberships (
        user_id CHAR(36) ${ASCII} NOT NULL,
        organisation_id CHAR(36) ${ASCII} NOT NULL,
        role VARCHAR(16) ${ASCII} NOT NULL,
        created_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_memberships PRIMARY KEY (user_id, organisation_id),
        INDEX ix_memberships_organisation (organisation_id),
        CONSTRAINT fk_memberships_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_memberships_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
        CONSTRAINT ck_memberships_role CHECK (role IN ('admin', 'member'))
      ) ${TABLE_OPTIONS}`);
    await q.query(`
      CREATE TABLE oauth_clients (
        id VARCHAR(64) ${ASCII} NOT NULL,
        name VARCHAR(255) NOT NULL,
        redirect_uris TEXT NOT NULL,
        secret_salt CHAR(32) ${ASCII} NOT NULL,
        created_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_oauth_clients PRIMARY KEY (id),
        CONSTRAINT ck_oauth_clients_redirect_uris CHECK (JSON_VALID(redirect_uris))
      ) ${TABLE_OPTIONS}`);
    await q.query(`
      CREATE TABLE oidc_payloads (
        model VARCHAR(40) ${ASCII} NOT NULL,
        id_hash CHAR(64) ${ASCII} NOT NULL,
        payload LONGTEXT NOT NULL,
        grant_id_hash CHAR(64) ${ASCII} NULL,
        uid_hash CHAR(64) ${ASCII} NULL,
        user_code_hash CHAR(64) ${ASCII} NULL,
        expires_at DATETIME(3) NULL,
        consumed_at DATETIME(3) NULL,
        grace_used TINYINT(1) NOT NULL DEFAULT 0,
        CONSTRAINT pk_oidc_payloads PRIMARY KEY (model, id_hash),
        INDEX ix_oidc_payloads_grant (grant_id_hash),
        INDEX ix_oidc_payloads_uid (model, uid_hash),
        INDEX ix_oidc_payloads_user_code (model, user_code_hash),
        INDEX ix_oidc_payloads_expires (expires_at),
        CONSTRAINT ck_oidc_payloads_payload CHECK (JSON_VALID(payload))
      ) ${TABLE_OPTIONS}`);
    await q.query(`
      CREATE TABLE connections (
        grant_id VARCHAR(64) ${ASCII} NOT NULL,
        organisation_id CHAR(36) ${ASCII} NOT NULL,
        client_id VARCHAR(64) ${ASCII} NOT NULL,
        user_id CHAR(36) ${ASCII} NOT NULL,
        created_at DATETIME(3) NOT NULL,
        replaced_at DATETIME(3) NULL,
        CONSTRAINT pk_connections PRIMARY KEY (grant_id),
        INDEX ix_connections_organisation_client (organisation_id, client_id, replaced_at),
        CONSTRAINT fk_connections_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
        CONSTRAINT fk_connections_client FOREIGN KEY (client_id) REFERENCES oauth_clients (id) ON DELETE CASCADE,
        CONSTRAINT fk_connections_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      ) ${TABLE_OPTIONS}`);
    await q.query(`
      CREATE TABLE sign_in_throttle (
        key_hash CHAR(64) ${ASCII} NOT NULL,
        failures INT UNSIGNED NOT NULL,
        window_started_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_sign_in_throttle PRIMARY KEY (key_hash)
      ) ${TABLE_OPTIONS}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sign_in_throttle');
    await q.query('DROP TABLE connections');
    await q.query('DROP TABLE oidc_payloads');
    await q.query('DROP TABLE oauth_clients');
    await q.query('DROP TABLE memberships');
    await q.query('DROP TABLE users');
  }
}
