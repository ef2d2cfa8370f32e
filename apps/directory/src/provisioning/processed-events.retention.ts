import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DirectoryConfig } from '../config';
import { CONFIG } from '../shared/tokens';

/** Rows per DELETE: short transactions, so the applier's inserts never queue behind a long one. */
export const PURGE_BATCH = 5_000;
/** Batches per run (250,000 rows): a backlog is worked off over several runs, not in one long burst. */
export const PURGE_MAX_BATCHES = 50;
const PAUSE_BETWEEN_BATCHES_MS = 50;
const FIRST_RUN_AFTER_MS = 60_000;
const RUN_EVERY_MS = 10 * 60_000;
const LOCK = 'processed_events_retention:';

/**
 * The oldest expired rows, along ix_processed_events_processed_at (created with the table): each DELETE reads only
 * the rows it removes, whatever the size of the table. ORDER BY … LIMIT in a single-table DELETE is the same on
 * MySQL 8.4 and MariaDB.
 */
export const PURGE_SQL = 'DELETE FROM processed_events WHERE processed_at < ? ORDER BY processed_at LIMIT ?';

/** Runs one statement and says how many rows it changed. */
export type Exec = (sql: string, params: readonly unknown[]) => Promise<number>;

/**
 * Deletes processed_events rows older than `cutoff`, oldest first, in batches, until none is left or `maxBatches`
 * have run. Returns the number deleted.
 */
export async function purgeExpired(exec: Exec, cutoff: Date, opts: { batch?: number; maxBatches?: number; pauseMs?: number; stopped?: () => boolean } = {}): Promise<number> {
  const batch = opts.batch ?? PURGE_BATCH;
  const maxBatches = opts.maxBatches ?? PURGE_MAX_BATCHES;
  let deleted = 0;
  for (let i = 0; i < maxBatches && !opts.stopped?.(); i++) {
    const n = await exec(PURGE_SQL, [cutoff, batch]);
    deleted += n;
    if (n < batch) break;
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
  }
  return deleted;
}

/**
 * Retention for processed_events, the dedupe table (one row per applied provisioning event, with its outcome).
 * Without it the table grew by a row per event for ever (265k rows and 234 MB after a day of benchmarks).
 * A row is needed while its event can still be delivered again, which can only come from the provisioning topic
 * (7 days' retention, docs/architecture.md), so PROCESSED_EVENTS_RETENTION_DAYS is at least 8. The admin activity
 * page reads these rows too: its totals cover 24 h, and "last successful request" now looks back as far as the
 * retention (30 days by default). One instance purges at a time (a MySQL named lock); the others skip that run.
 */
@Injectable()
export class ProcessedEventsRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ProcessedEventsRetention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly cfg: DirectoryConfig,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.log.warn(`processed_events retention run failed (next in ${RUN_EVERY_MS / 60_000} min): ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (this.running = undefined));
    };
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, RUN_EVERY_MS).unref();
    }, FIRST_RUN_AFTER_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer); // a timeout or an interval: Node clears either
    await this.running;
  }

  /** One run: the rows older than the retention, if this instance gets the lock. Returns the number deleted. */
  async runOnce(now = new Date()): Promise<number> {
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      const [row] = (await q.query('SELECT GET_LOCK(CONCAT(?, DATABASE()), 0) AS got', [LOCK])) as { got: number | null }[];
      if (Number(row?.got) !== 1) return 0;
      try {
        const cutoff = new Date(now.getTime() - this.cfg.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000);
        const exec: Exec = async (sql, params) => {
          // Read committed for this DELETE only (SET TRANSACTION without SESSION is for the next transaction, on
          // MySQL and MariaDB alike): the range DELETE then takes no gap locks and never holds up the applier's
          // inserts, and the pooled connection goes back to the pool with its own isolation level untouched.
          await q.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
          return ((await q.query(sql, [...params])) as { affectedRows: number }).affectedRows;
        };
        const deleted = await purgeExpired(exec, cutoff, { pauseMs: PAUSE_BETWEEN_BATCHES_MS, stopped: () => this.stopping });
        if (deleted) this.log.log(`deleted ${deleted} processed_events rows older than ${cutoff.toISOString()}`);
        return deleted;
      } finally {
        await q.query('SELECT RELEASE_LOCK(CONCAT(?, DATABASE()))', [LOCK]).catch(() => undefined);
      }
    } finally {
      await q.release();
    }
  }
}
