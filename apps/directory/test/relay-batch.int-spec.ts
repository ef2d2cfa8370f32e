import { rootDbConnection, uniqueSlug } from '@taskize/testing';
import type { Connection } from 'mysql2/promise';
import { nextBatchSql } from '../src/outbox/outbox.relay';

/**
 * The relay's batch query (nextBatchSql) on the real server: which pending rows one batch takes, by their stored
 * sizes. It runs in a scratch schema with a table shaped like the outbox, so the cases do not depend on what the
 * running directory has pending. The same SQL must hold on MySQL 8.4 (docker-compose.yml): window functions only.
 */
describe('relay batch: the longest prefix of pending rows within the byte limit, in one round trip', () => {
  const schema = `relay_batch_${uniqueSlug().replace(/[^a-z0-9]/g, '_')}`;
  let conn: Connection;

  beforeAll(async () => {
    conn = await rootDbConnection();
    await conn.query(`CREATE DATABASE ${schema}`);
    await conn.query(`USE ${schema}`);
    await conn.query(
      'CREATE TABLE outbox (seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id CHAR(36) NOT NULL, event LONGTEXT NOT NULL, state LONGTEXT NULL, published_at DATETIME(3) NULL, INDEX ix_outbox_pending (published_at, seq))',
    );
  });
  afterAll(async () => {
    await conn.query(`DROP DATABASE IF EXISTS ${schema}`);
    await conn.end();
  });

  /** Rows of the given sizes (event + state bytes); a size of -n is a row already marked published. */
  async function seed(sizes: readonly number[]): Promise<number[]> {
    await conn.query('TRUNCATE TABLE outbox');
    const seqs: number[] = [];
    for (const size of sizes) {
      const bytes = Math.abs(size);
      const [res] = (await conn.query('INSERT INTO outbox (tenant_id, event, state, published_at) VALUES (?, ?, ?, ?)', [
        't1',
        'e'.repeat(bytes - Math.floor(bytes / 4)),
        bytes >= 4 ? 's'.repeat(Math.floor(bytes / 4)) : null,
        size < 0 ? new Date() : null,
      ])) as unknown as [{ insertId: number }];
      seqs.push(res.insertId);
    }
    return seqs;
  }

  it.each([
    ['everything when it fits', [100, 200, 300], [], 1_000, [0, 1, 2], 3],
    ['the longest prefix within the limit, in seq order', [400, 400, 400, 10], [], 1_000, [0, 1], 4],
    ['never skips ahead to a smaller row (order is the contract)', [600, 600, 10], [], 1_000, [0], 3],
    ['a single row over the limit still goes, alone', [5_000, 10], [], 1_000, [0], 2],
    ['rows marked published are not pending', [-100, 200, -300, 400], [], 1_000, [1, 3], 2],
    ['rows published but not yet marked are left out, and do not count towards the limit', [900, 200, 300], [0], 1_000, [1, 2], 2],
    ['nothing from nothing', [], [], 1_000, [], 0],
  ] as const)('%s', async (_case, sizes, unmarked, maxBytes, expected, pending) => {
    const seqs = await seed(sizes);
    const exclude = unmarked.map((i) => seqs[i]);
    const [rows] = (await conn.query(nextBatchSql(exclude.length), [...exclude, maxBytes])) as unknown as [{ seq: number | string; pending: number | string }[]];
    expect(rows.map((r) => Number(r.seq))).toEqual(expected.map((i) => seqs[i]));
    for (const row of rows) expect(Number(row.pending)).toBe(pending);
  });

  it('looks at no more than one batch of the backlog: 501 pending rows are 500 in the window', async () => {
    await seed([]);
    await conn.query('INSERT INTO outbox (tenant_id, event) VALUES ?', [Array.from({ length: 501 }, () => ['t1', 'e'])]);
    const [rows] = (await conn.query(nextBatchSql(0), [1_000_000])) as unknown as [{ pending: number | string }[]];
    expect(rows).toHaveLength(500);
    expect(Number(rows[0]!.pending)).toBe(500);
  });
});
