import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin activity page (read-api/activity.controller.ts): a tenant's recent outcomes by time, and the
 * identity events each one caused. Without these the page sorted all of a tenant's processed_events and
 * joined by scanning the whole outbox — cost growing with the directory, not with the page.
 */
export class ActivityIndexes1764500000000 implements MigrationInterface {
  name = 'ActivityIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX ix_processed_events_tenant_time ON processed_events (tenant_id, processed_at)');
    await q.query('CREATE INDEX ix_outbox_tenant_causation ON outbox (tenant_id, causation_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_outbox_tenant_causation ON outbox');
    await q.query('DROP INDEX ix_processed_events_tenant_time ON processed_events');
  }
}
