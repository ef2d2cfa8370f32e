import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Publisher } from '@taskize/kafka';
import { toKafkaMessage, type IdentityEvent } from '@taskize/identity-events';
import { TOPICS } from '@taskize/topics';
import { metrics, setOutboxBacklogSampler } from '@taskize/observability';
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

/**
 * Named locks are server-wide, not per schema: the lock name carries the schema, so two directories on
 * one MySQL server (a dev and a test stack, two environments) each get their own relay leader.
 */
const LOCK = 'outbox_relay:';
const BATCH = 500;
/**
 * What one relay batch may carry (events and state records, as stored). Each partition's record batch must
 * stay under the broker's message.max.bytes (2 MiB here), or the produce is refused and the relay would retry
 * the same batch forever; and 500 large group events, parsed and copied into Buffers, would not fit the
 * services' 96 MB heap (SERVICE_NODE_OPTIONS). A single larger event still goes, alone.
 */
export const RELAY_MAX_BATCH_BYTES = 1024 * 1024;

/**
 * The next relay batch in one round trip: the oldest pending rows (at most BATCH, whatever the backlog) have their
 * sizes summed in seq order on the server, and only the longest prefix within `maxBytes` comes back with its
 * payload, and at least the first row (a single larger event still goes, alone). A smaller row is never taken
 * from behind a larger one: order is the contract. Each row carries `pending`, how many rows the window saw, so the
 * relay knows whether more are waiting. `exclude` rows (published, not yet marked) are left out.
 * Window functions: MySQL 8.0+ and MariaDB 10.2+. Params: the excluded seqs, then `maxBytes`.
 */
export function nextBatchSql(exclude: number): string {
  return `SELECT o.seq, o.tenant_id, o.event, o.state, w.pending FROM outbox o JOIN (
  SELECT seq, SUM(size) OVER (ORDER BY seq) AS upto, ROW_NUMBER() OVER (ORDER BY seq) AS n, COUNT(*) OVER () AS pending FROM (
    SELECT seq, LENGTH(event) + COALESCE(LENGTH(state), 0) AS size FROM outbox
    WHERE published_at IS NULL${exclude ? ` AND seq NOT IN (${Array.from({ length: exclude }, () => '?').join(', ')})` : ''}
    ORDER BY seq LIMIT ${BATCH}
  ) p
) w ON w.seq = o.seq
WHERE w.n = 1 OR w.upto <= ? ORDER BY o.seq`;
}

/**
 * An outbox row the relay cannot turn into records. The directory writes every row itself, so this is a bug
 * or a hand edit; the relay stops at the row rather than skip a committed event or break per-tenant order,
 * and says which row (docs/operations.md, "Relay behind"). Found when a bench script wrote rows by hand: the
 * relay only repeated "Cannot read properties of undefined (reading 'length')" and every tenant waited.
 */
export class UnpublishableOutboxRow extends Error {
  constructor(seq: string, reason: string) {
    super(`outbox row seq=${seq} cannot be published (${reason}); the relay stops there to keep the order: repair or delete that row`);
    this.name = 'UnpublishableOutboxRow';
  }
}

/** A row's identity event and state records, checked for what the Kafka records are built from. */
export function readOutboxRow(row: { seq: string | number; tenant_id: string; event: string; state: string | null }): { event: IdentityEvent; state: StateRecord[] } {
  const seq = String(row.seq);
  let event: IdentityEvent;
  let state: StateRecord[];
  try {
    event = JSON.parse(row.event) as IdentityEvent;
    state = row.state ? (JSON.parse(row.state) as StateRecord[]) : [];
  } catch {
    throw new UnpublishableOutboxRow(seq, 'not JSON');
  }
  const missing = (['id', 'type', 'source', 'subject', 'time', 'tenantid'] as const).filter((k) => typeof event?.[k] !== 'string');
  if (missing.length) throw new UnpublishableOutboxRow(seq, `event without ${missing.join(', ')}`);
  if (event.tenantid !== row.tenant_id) throw new UnpublishableOutboxRow(seq, "event's tenantid is not the row's tenant");
  if (!Array.isArray(state) || state.some((r) => typeof r?.key !== 'string')) throw new UnpublishableOutboxRow(seq, 'state is not a list of keyed records');
  return { event, state };
}

const IDLE_POLL_MS = 50;
const STANDBY_POLL_MS = 2_000;
const MARK_EVERY_MS = 250;
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
  /** A commit happened since the relay last looked: do not sleep (a notify during a publish is not lost). */
  private dirty = false;
  /**
   * Published but not yet marked in MySQL. Marking is an fsync'ed UPDATE; it runs beside the next
   * publish instead of in front of it, so commit → event does not wait for the previous batch's mark.
   * The next SELECT skips these seqs. A crash before the mark re-publishes them (same event ids).
   */
  private readonly unmarked = new Set<string>();
  private marking?: Promise<void>;
  private loop?: Promise<void>;
  private lastCleanup = 0;
  private lastMarkAt = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(KAFKA) kafka: Kafka,
  ) {
    this.publisher = new Publisher(kafka);
    // Scrape-time count of what is committed but not yet on identity.events (ix_outbox_pending keeps it cheap).
    setOutboxBacklogSampler(async () => {
      const [row] = (await this.db.query('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL')) as { n: number | string }[];
      return Number(row?.n ?? 0);
    });
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    await this.marking;
    if (this.unmarked.size && this.lockConnection) await this.markPublished().catch(() => undefined);
    await this.marking;
    await this.releaseLock();
    await this.publisher.disconnect().catch(() => undefined);
  }

  /** Called after a local commit: publish now rather than at the next poll. */
  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  get isLeader(): boolean {
    return this.lockConnection !== undefined;
  }

  private sleep(ms: number): Promise<void> {
    if (this.dirty) return Promise.resolve();
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
          this.dirty = false; // a standby ignores its own commits: the leader relays them
          await this.sleep(STANDBY_POLL_MS);
          continue;
        }
        this.dirty = false;
        const { published, more } = await this.publishBatch();
        this.markIfDue();
        if (this.unmarked.size >= BATCH) await this.marking; // back-pressure: MySQL marks slower than Kafka takes
        await this.cleanup();
        if (published < BATCH && !more) await this.sleep(IDLE_POLL_MS);
      } catch (error) {
        const message = `relay paused: ${error instanceof Error ? error.message : String(error)}`;
        if (error instanceof UnpublishableOutboxRow) this.log.error(message);
        else this.log.warn(message);
        await this.marking;
        this.unmarked.clear(); // re-read from MySQL: at-least-once
        await this.releaseLock();
        await this.sleep(1_000);
      }
    }
  }

  private async ensureLock(): Promise<boolean> {
    if (this.lockConnection) return true;
    const q = this.db.createQueryRunner();
    await q.connect();
    const [row] = (await q.query('SELECT GET_LOCK(CONCAT(?, DATABASE()), 0) AS got', [LOCK])) as { got: number | null }[];
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
    await q.query('SELECT RELEASE_LOCK(CONCAT(?, DATABASE()))', [LOCK]).catch(() => undefined);
    await q.release().catch(() => undefined);
  }

  private async publishBatch(): Promise<{ published: number; more: boolean }> {
    // Read on the lock's own connection: its answering proves we still hold the lock (it dies with the
    // session), without a round trip of its own (that was a `SELECT 1` before every read, 20 a second idle).
    const q = this.lockConnection;
    if (!q) throw new Error('relay lock lost');
    // One round trip for the rows that fit RELAY_MAX_BATCH_BYTES (it was two: sizes, then rows).
    const unmarked = [...this.unmarked];
    const rows = (await q.query(nextBatchSql(unmarked.length), [...unmarked, RELAY_MAX_BATCH_BYTES])) as (OutboxRow & { pending: number | string })[];
    if (!rows.length) return { published: 0, more: false };
    const parsed = rows.map(readOutboxRow);
    const events = parsed.map(({ event }) => toKafkaMessage(event));
    const state = parsed.flatMap((r) => r.state);
    // The two topics are independent streams, sent in one produce request (each keeps its own order).
    await this.publisher.publishAll(
      [
        { topic: TOPICS.identityEvents.name, messages: events.map((m) => ({ key: m.key, value: Buffer.from(m.value), headers: m.headers })) },
        {
          topic: TOPICS.identityState.name,
          messages: state.map((s) => ({ key: s.key, value: s.value === null ? null : Buffer.from(JSON.stringify(s.value)) })),
        },
      ],
      10_000,
    );
    const now = Date.now();
    for (const { event } of parsed) metrics.relayLag().observe(Math.max(0, now - Date.parse(event.time)) / 1000);
    for (const r of rows) this.unmarked.add(String(r.seq));
    return { published: rows.length, more: rows.length < Number(rows[0]?.pending ?? 0) };
  }

  /**
   * Marks run beside the publishing, at most every MARK_EVERY_MS (or at once when a batch's worth waits). Each mark
   * is an fsync'ed UPDATE; marking after every publish was one per create at 50/s, a third of the relay's round trips
   * (docs/benchmarks.md, run 9). What is published and unmarked when the leader dies is re-published by the next one,
   * with the same event ids: at-least-once either way, for at most MARK_EVERY_MS more of events.
   */
  private markIfDue(): void {
    if (this.marking || !this.unmarked.size) return;
    if (this.unmarked.size < BATCH && Date.now() - this.lastMarkAt < MARK_EVERY_MS) return;
    this.lastMarkAt = Date.now();
    this.marking = this.markPublished().finally(() => (this.marking = undefined));
  }

  /** Marks every published seq (one UPDATE per round, while the relay goes on publishing). */
  private async markPublished(): Promise<void> {
    while (this.unmarked.size) {
      const seqs = [...this.unmarked].slice(0, BATCH);
      try {
        await this.db.query(`UPDATE outbox SET published_at = ? WHERE seq IN (${seqs.map(() => '?').join(', ')})`, [new Date(), ...seqs]);
      } catch (error) {
        // Left unmarked in MySQL: the relay loop notices its own failure on its next query and re-reads.
        this.log.warn(`marking published outbox rows failed: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      for (const seq of seqs) this.unmarked.delete(seq);
    }
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.db.query('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT 10000', [new Date(Date.now() - RETENTION_MS)]);
  }
}
