import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Publisher } from '@taskize/kafka';
import { toKafkaMessage, type IdentityEvent } from '@taskize/identity-events';
import { TOPICS } from '@taskize/topics';
import type { Kafka } from 'kafkajs';
import { DataSource, type QueryRunner } from 'typeorm';
import { KAFKA } from '../kafka.token';
import type { StateRecord } from './outbox.writer';

interface OutboxRow {
  seq: string;
  tenant_id: string;
  event: string;
  state: string | null;
}

const LOCK = 'taskize_directory_outbox_relay';
const BATCH = 500;
const IDLE_POLL_MS = 50;
const STANDBY_POLL_MS = 2_000;
const RETENTION_MS = 24 * 3_600_000;

/**
 * Publishes the outbox in commit (`seq`) order to identity.events (key: tenant id) and the compacted
 * identity.state.v1 (key: resource), then marks the rows published. Exactly one directory instance
 * relays at a time: it holds a MySQL named lock on a dedicated connection (GET_LOCK, on MySQL and
 * MariaDB alike); the others stand by and take over within STANDBY_POLL_MS if it dies.
 * At-least-once: a crash between publish and mark re-publishes the same event ids.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(OutboxRelay.name);
  private readonly publisher: Publisher;
  private lockConnection?: QueryRunner;
  private running = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private lastCleanup = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(KAFKA) kafka: Kafka,
  ) {
    this.publisher = new Publisher(kafka);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.releaseLock();
    await this.publisher.disconnect().catch(() => undefined);
  }

  /** Called after a local commit: publish now rather than at the next poll. */
  notify(): void {
    this.wake?.();
  }

  get isLeader(): boolean {
    return this.lockConnection !== undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!(await this.ensureLock())) {
          await this.sleep(STANDBY_POLL_MS);
          continue;
        }
        const published = await this.publishBatch();
        await this.cleanup();
        if (published < BATCH) await this.sleep(IDLE_POLL_MS);
      } catch (error) {
        this.log.warn(`relay paused: ${error instanceof Error ? error.message : String(error)}`);
        await this.releaseLock();
        await this.sleep(1_000);
      }
    }
  }

  private async ensureLock(): Promise<boolean> {
    if (this.lockConnection) return true;
    const q = this.db.createQueryRunner();
    await q.connect();
    const [row] = (await q.query('SELECT GET_LOCK(?, 0) AS got', [LOCK])) as { got: number | null }[];
    if (Number(row?.got) === 1) {
      this.lockConnection = q;
      this.log.log('relaying the outbox (leader)');
      return true;
    }
    await q.release();
    return false;
  }

  private async releaseLock(): Promise<void> {
    const q = this.lockConnection;
    this.lockConnection = undefined;
    if (!q) return;
    await q.query('SELECT RELEASE_LOCK(?)', [LOCK]).catch(() => undefined);
    await q.release().catch(() => undefined);
  }

  private async publishBatch(): Promise<number> {
    // The lock connection answering proves we still hold the lock (it dies with the session).
    await this.lockConnection?.query('SELECT 1');
    const rows = (await this.db.query(`SELECT seq, tenant_id, event, state FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ${BATCH}`)) as OutboxRow[];
    if (!rows.length) return 0;
    const events = rows.map((r) => toKafkaMessage(JSON.parse(r.event) as IdentityEvent));
    const state = rows.flatMap((r) => (r.state ? (JSON.parse(r.state) as StateRecord[]) : []));
    await this.publisher.publish(
      TOPICS.identityEvents.name,
      events.map((m) => ({ key: m.key, value: Buffer.from(m.value), headers: m.headers })),
      10_000,
    );
    if (state.length) {
      await this.publisher.publish(
        TOPICS.identityState.name,
        state.map((s) => ({ key: s.key, value: s.value === null ? null : Buffer.from(JSON.stringify(s.value)) })),
        10_000,
      );
    }
    await this.db.query(`UPDATE outbox SET published_at = ? WHERE seq IN (${rows.map(() => '?').join(', ')})`, [new Date(), ...rows.map((r) => r.seq)]);
    return rows.length;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.db.query('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT 10000', [new Date(Date.now() - RETENTION_MS)]);
  }
}
