import { DataSource, type DataSourceOptions } from 'typeorm';
import type { MysqlConnectionOptions } from 'typeorm/driver/mysql/MysqlConnectionOptions';

export interface DbConfig {
  DB_HOST: string;
  DB_PORT: number;
  DB_NAME: string;
  DB_USER: string;
  DB_PASSWORD: string;
  DB_POOL_SIZE: number;
  DB_MIGRATION_USER?: string;
  DB_MIGRATION_PASSWORD?: string;
}

type Entities = NonNullable<MysqlConnectionOptions['entities']>;
type Migrations = NonNullable<MysqlConnectionOptions['migrations']>;

/**
 * One MySQL schema per owning service. The app connects as its DML-only user; `migrations: true`
 * connects as the schema's migrator (DDL) user — least privilege at run time.
 */
export interface MysqlPoolFlags {
  /** Connect as the schema's migrator (DDL) user. */
  migrations?: boolean;
  /** Only for a write path that batches its own parameterised statements (StatementBatch). */
  multipleStatements?: boolean;
  poolSize?: number;
}

export function mysqlOptions(cfg: DbConfig, entities: Entities, migrations: Migrations, opts: MysqlPoolFlags = {}): MysqlConnectionOptions {
  const migrator = opts.migrations && cfg.DB_MIGRATION_USER;
  return {
    type: 'mysql',
    host: cfg.DB_HOST,
    port: cfg.DB_PORT,
    username: migrator ? cfg.DB_MIGRATION_USER : cfg.DB_USER,
    password: migrator ? (cfg.DB_MIGRATION_PASSWORD ?? '') : cfg.DB_PASSWORD,
    database: cfg.DB_NAME,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    poolSize: opts.poolSize ?? cfg.DB_POOL_SIZE,
    // mysql2: fail fast when MySQL is down instead of queueing forever; callers retry.
    extra: { connectTimeout: 5_000, queueLimit: 1_000, enableKeepAlive: true, ...(opts.multipleStatements ? { multipleStatements: true } : {}) },
  };
}

/** One-shot migration run (`npm run migrate -- <app> [up|down]`, and the Kubernetes Job). */
export async function runMigrations(options: DataSourceOptions, direction: 'up' | 'down'): Promise<string[]> {
  const ds = new DataSource(options);
  await ds.initialize();
  try {
    if (direction === 'down') {
      await ds.undoLastMigration({ transaction: 'each' });
      return [];
    }
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
