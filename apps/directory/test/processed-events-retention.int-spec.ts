import { infra, rootDbConnection, uniqueSlug } from '@taskize/testing';
import type { Connection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { dataSourceOptions } from '../src/data-source';
import { ProcessedEventsRetention, purgeExpired, type Exec } from '../src/provisioning/processed-events.retention';

const DAY = 86_400_000;
const NOW = new Date('2026-11-30T12:00:00.000Z');

/**
 * processed_events retention on the real server, in a scratch schema migrated with the directory's own migrations
 * (so the table and its processed_at index are exactly production's, and the running directory's dedupe rows are
 * never touched). The same SQL must hold on MySQL 8.4 (docker-compose.yml).
 */
describe('processed_events retention: dedupe rows older than the retention are deleted, nothing else', () => {
  const schema = `retention_${uniqueSlug().replace(/[^a-z0-9]/g, '_')}`;
  const env = infra();
  const cfg = loadConfig({
    KAFKA_BROKERS: '127.0.0.1:9092',
    INTERNAL_API_TOKEN: 'x'.repeat(32),
    DB_HOST: env['DB_HOST'],
    DB_PORT: env['DB_PORT'],
    DB_NAME: schema,
    DB_USER: process.env['MYSQL_ROOT_USER'] ?? 'root',
    DB_PASSWORD: process.env['MYSQL_ROOT_PASSWORD'] ?? '',
    PROCESSED_EVENTS_RETENTION_DAYS: '8',
  });
  let conn: Connection;
  let ds: DataSource;
  const exec: Exec = async (sql, params) => ((await conn.query(sql, [...params])) as unknown as [{ affectedRows: number }])[0].affectedRows;

  beforeAll(async () => {
    conn = await rootDbConnection();
    await conn.query(`CREATE DATABASE ${schema}`);
    await conn.query(`USE ${schema}`);
    // One pooled connection: the job's and this spec's queries share it, so what the job leaves on it shows.
    ds = new DataSource(dataSourceOptions(cfg, { poolSize: 1 }));
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(async () => {
    await ds?.destroy();
    await conn.query(`DROP DATABASE IF EXISTS ${schema}`);
    await conn.end();
  });

  /** Rows `ageDays` old (fractions allowed), for tenants a and b alternately; returns their event ids. */
  async function seed(agesDays: readonly number[]): Promise<string[]> {
    await conn.query('TRUNCATE TABLE processed_events');
    const ids: string[] = [];
    for (const [i, age] of agesDays.entries()) {
      const id = `e${String(i).padStart(35, '0')}`;
      ids.push(id);
      await conn.query('INSERT INTO processed_events (tenant_id, event_id, event_type, status, outcome, processed_at) VALUES (?, ?, ?, 201, ?, ?)', [
        i % 2 ? 'tenant-b' : 'tenant-a',
        id,
        'UserCreated',
        '{}',
        new Date(NOW.getTime() - age * DAY),
      ]);
    }
    return ids;
  }

  const remaining = async () =>
    ((await conn.query('SELECT event_id FROM processed_events ORDER BY event_id')) as unknown as [{ event_id: string }[]])[0].map((r) => r.event_id);

  it.each([
    ['deletes the rows older than the cutoff, in every tenant, and keeps the rest', [40, 1, 31, 29, 0, 35], 30, 5, 10, [1, 3, 4]],
    ['a row exactly at the cutoff stays (strictly older goes)', [30, 30.0001], 30, 5, 10, [0]],
    ['works a backlog off in batches until none is left', [50, 49, 48, 47, 46, 45, 44, 1], 30, 3, 10, [7]],
    ['stops after maxBatches, leaving the oldest-first rest for the next run', [50, 49, 48, 47, 46, 45, 44, 1], 30, 2, 2, [4, 5, 6, 7]],
    ['nothing to delete', [1, 2, 3], 30, 5, 10, [0, 1, 2]],
  ] as const)('%s', async (_case, ages, retentionDays, batch, maxBatches, kept) => {
    const ids = await seed(ages);
    const deleted = await purgeExpired(exec, new Date(NOW.getTime() - retentionDays * DAY), { batch, maxBatches });
    expect(await remaining()).toEqual(kept.map((i) => ids[i]));
    expect(deleted).toBe(ids.length - kept.length);
  });

  describe('the job (one instance at a time, through TypeORM like the directory)', () => {
    const job = () => new ProcessedEventsRetention(ds, cfg);

    it('deletes what is older than PROCESSED_EVENTS_RETENTION_DAYS', async () => {
      const ids = await seed([9, 7, 8.5, 0]);
      await expect(job().runOnce(NOW)).resolves.toBe(2);
      expect(await remaining()).toEqual([ids[1], ids[3]]);
    });

    it("leaves the pooled connection's isolation level as it found it", async () => {
      // MySQL 8 names it transaction_isolation; MariaDB 10.11 only tx_isolation.
      const isolation = async () => {
        const [row] = (await ds.query('SELECT @@SESSION.transaction_isolation AS level').catch(() => ds.query('SELECT @@SESSION.tx_isolation AS level'))) as { level: string }[];
        return row?.level;
      };
      const before = await isolation();
      await seed([9, 0]);
      await expect(job().runOnce(NOW)).resolves.toBe(1);
      expect(await isolation()).toBe(before);
      expect(before).not.toBe('READ-COMMITTED'); // the server default (REPEATABLE-READ), so a leak would show
    });

    it('skips the run while another instance holds the lock, and runs once it is free', async () => {
      const ids = await seed([9, 0]);
      const other = await rootDbConnection();
      try {
        await other.query(`USE ${schema}`);
        await other.query("SELECT GET_LOCK(CONCAT('processed_events_retention:', DATABASE()), 0)");
        await expect(job().runOnce(NOW)).resolves.toBe(0);
        expect(await remaining()).toEqual(ids);
        await other.query("SELECT RELEASE_LOCK(CONCAT('processed_events_retention:', DATABASE()))");
        await expect(job().runOnce(NOW)).resolves.toBe(1);
        expect(await remaining()).toEqual([ids[1]]);
      } finally {
        await other.end();
      }
    });
  });
});
