import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: written in the same transaction as the change it describes, published
 * in `seq` order by the relay (outbox/outbox.relay.ts) to identity.events and identity.state.v1.
 * `event` is the committed CloudEvent; `state` the resource's latest state (NULL = tombstone).
 */
export class CreateOutbox1764480000000 implements MigrationInterface {
  name = 'CreateOutbox1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        resource_type VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        resource_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        version INT UNSIGNED NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        event_type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        causation_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        event MEDIUMTEXT NOT NULL,
        state MEDIUMTEXT NULL,
        created_at DATETIME(3) NOT NULL,
        published_at DATETIME(3) NULL,
        CONSTRAINT pk_outbox PRIMARY KEY (seq),
        CONSTRAINT uq_outbox_event UNIQUE (event_id),
        INDEX ix_outbox_pending (published_at, seq)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox');
  }
}
