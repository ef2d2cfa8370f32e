import { setPoolSampler } from '@taskize/observability';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Readiness probe for the service's MySQL schema. */
@Injectable()
export class MysqlReadiness {
  readonly name = 'mysql';
  constructor(@InjectDataSource() private readonly db: DataSource) {
    // Every service with a database has this check: it also reports the pool on /metrics.
    setPoolSampler(() => samplePool(db));
  }
  async check(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}

interface Mysql2PoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * mysql2 has no public pool statistics; these fields have been stable across its 3.x releases. If a
 * release renames them the gauge simply disappears (undefined), nothing breaks.
 */
export function samplePool(db: DataSource): { inUse: number; idle: number; waiting: number; limit: number } | undefined {
  const pool = (db.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
  const all = pool?._allConnections?.length;
  const free = pool?._freeConnections?.length;
  if (all === undefined || free === undefined) return undefined;
  return { inUse: all - free, idle: free, waiting: pool?._connectionQueue?.length ?? 0, limit: pool?.config?.connectionLimit ?? 0 };
}
