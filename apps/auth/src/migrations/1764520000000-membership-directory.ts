import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One person, one identity (issue 5 item 7). Each membership is a person in that organisation's directory:
 * - directory_synced_at: when auth published the membership's AccountLinked event (NULL = still to publish;
 *   memberships that exist already are published once after this migration, which is the backfill).
 * - directory_deactivated_at: set while the linked directory user is deactivated or deleted (SCIM), from the
 *   identity events; such a membership cannot sign in or keep a connection.
 */
export class MembershipDirectory1764520000000 implements MigrationInterface {
  name = 'MembershipDirectory1764520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE memberships ADD COLUMN directory_synced_at DATETIME(3) NULL, ADD COLUMN directory_deactivated_at DATETIME(3) NULL');
    await q.query('CREATE INDEX ix_memberships_directory_pending ON memberships (directory_synced_at, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_memberships_directory_pending ON memberships');
    await q.query('ALTER TABLE memberships DROP COLUMN directory_deactivated_at, DROP COLUMN directory_synced_at');
  }
}
