import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queryable } from '@taskize/db';
import { DEFAULT_LIMITS } from '../interaction/throttle.store';

const BATCH = 1_000;
const INTERVAL_MS = 10 * 60_000;

/**
 * Deletes what can no longer be used: expired oidc-provider rows (codes, sessions, interactions, tokens,
 * grants) and throttle counters whose window has passed. In batches, so a backlog never holds long locks.
 * Every replica may run it; the deletes are idempotent. Returns the rows deleted.
 */
export async function purgeExpired(db: Queryable, now = new Date()): Promise<number> {
  let total = 0;
  const windowStart = new Date(now.getTime() - DEFAULT_LIMITS.windowSeconds * 1000);
  for (const [sql, param] of [
    ['DELETE FROM oidc_payloads WHERE expires_at < ? LIMIT ?', now],
    ['DELETE FROM sign_in_throttle WHERE window_started_at < ? LIMIT ?', windowStart],
  ] as const) {
    for (;;) {
      const result = (await db.query(sql, [param, BATCH])) as { affectedRows?: number };
      total += result.affectedRows ?? 0;
      if ((result.affectedRows ?? 0) < BATCH) break;
    }
  }
  return total;
}

@Injectable()
export class ExpiredPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('purge');
  private timer?: NodeJS.Timeout;

  constructor(private readonly db: Queryable) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      purgeExpired(this.db).then(
        (n) => n && this.log.log({ msg: 'purged expired rows', rows: n }),
        (error: unknown) => this.log.warn({ msg: 'purge failed; next run retries', error: error instanceof Error ? error.message : String(error) }),
      );
    }, INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
