import type { Queryable } from '@taskize/db';
import { createHash } from 'node:crypto';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

/** OWASP Authentication Cheat Sheet: lock out per account and per source, with a window, not forever. */
export const DEFAULT_LIMITS: ThrottleLimits = { perAccount: 5, perIp: 50, windowSeconds: 15 * 60 };

const key = (kind: 'account' | 'ip', value: string) => createHash('sha256').update(`${kind}\0${value}`).digest('hex');

/**
 * Failed sign-ins counted in MySQL (fixed window), so every auth replica sees the same counts. The
 * account key is the typed email, known or not: throttling must not reveal whether it exists.
 */
export class ThrottleStore {
  constructor(
    private readonly db: Queryable,
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async blocked(email: string, ip: string): Promise<boolean> {
    const since = new Date(this.now().getTime() - this.limits.windowSeconds * 1000);
    const rows = (await this.db.query('SELECT key_hash, failures FROM sign_in_throttle WHERE key_hash IN (?, ?) AND window_started_at > ?', [
      key('account', email),
      key('ip', ip),
      since,
    ])) as { key_hash: string; failures: number }[];
    const failures = (k: string) => rows.find((r) => r.key_hash === k)?.failures ?? 0;
    return failures(key('account', email)) >= this.limits.perAccount || failures(key('ip', ip)) >= this.limits.perIp;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = this.now();
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    for (const k of [key('account', email), key('ip', ip)]) {
      // SET assignments run left to right: `failures` still sees the old window start.
      await this.db.query(
        `INSERT INTO sign_in_throttle (key_hash, failures, window_started_at) VALUES (?, 1, ?)
         ON DUPLICATE KEY UPDATE failures = IF(window_started_at <= ?, 1, failures + 1), window_started_at = IF(window_started_at <= ?, ?, window_started_at)`,
        [k, now, since, since, now],
      );
    }
  }

  async clearAccount(email: string): Promise<void> {
    await this.db.query('DELETE FROM sign_in_throttle WHERE key_hash = ?', [key('account', email)]);
  }
}
