import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Organisations (tenants) and their long-lived SCIM bearer tokens, stored only as SHA-256 hashes. */
export class CreateOrganisations1764446500000 implements MigrationInterface {
  name = 'CreateOrganisations1764446500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisations (
        id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        slug VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        name VARCHAR(255) NOT NULL,
        plan VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        created_at DATETIME(3) NOT NULL,
        CONSTRAINT pk_organisations PRIMARY KEY (id),
        CONSTRAINT uq_organisations_slug UNIQUE (slug),
        CONSTRAINT ck_organisations_plan CHECK (plan IN ('free', 'team', 'business', 'enterprise'))
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    await q.query(`
      CREATE TABLE scim_tokens (
        id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        organisation_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        label VARCHAR(255) NULL,
        created_at DATETIME(3) NOT NULL,
        revoked_at DATETIME(3) NULL,
        CONSTRAINT pk_scim_tokens PRIMARY KEY (id),
        CONSTRAINT uq_scim_tokens_token_hash UNIQUE (token_hash),
        INDEX ix_scim_tokens_organisation (organisation_id),
        CONSTRAINT fk_scim_tokens_organisation FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE scim_tokens');
    await q.query('DROP TABLE organisations');
  }
}
