import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One person, one identity (issue 5 item 7): a directory user may be linked to the Taskize account that
 * is the same person. At most one user per account in a tenant (the unique index; NULLs do not collide
 * on MySQL or MariaDB), and the link is found by account when auth publishes it again.
 */
export class UserAccounts1764510000000 implements MigrationInterface {
  name = 'UserAccounts1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN account_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL');
    await q.query('CREATE UNIQUE INDEX uq_users_tenant_account ON users (tenant_id, account_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX uq_users_tenant_account ON users');
    await q.query('ALTER TABLE users DROP COLUMN account_id');
  }
}
