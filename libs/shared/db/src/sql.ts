import { rootCause } from './statement-batch';

/** The part of a TypeORM QueryRunner / DataSource the stores use: plain parameterised SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface MysqlError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

export function mysqlError(error: unknown): MysqlError {
  // TypeORM wraps driver errors in QueryFailedError with the driver error as `driverError`.
  const e = error as { driverError?: MysqlError } & MysqlError;
  return e?.driverError ?? e ?? {};
}

export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_DEADLOCK = 1213;

/**
 * Runs a single idempotent statement (a DELETE by key, say) again when InnoDB picked it as a deadlock
 * victim: it was rolled back whole, and running it again has the same effect as the first run would have
 * had. Never for a multi-statement transaction, which the caller must restart from its beginning.
 */
export async function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt >= attempts || mysqlError(error).errno !== ER_LOCK_DEADLOCK) throw error;
    }
  }
}

/**
 * Errors caused by the data itself: retrying cannot help, so the event is dead-lettered.
 * Everything else (connection refused, lost, lock wait timeout, deadlock) is transient.
 */
const PERMANENT_ERRNOS = new Set([
  1048, // column cannot be null
  1264, // out of range
  1292, // incorrect datetime value
  1366, // incorrect string value
  1406, // data too long
  3140, // invalid JSON
]);

export function isPermanentDataError(error: unknown): boolean {
  // A deferred statement's error counts as what it is (StatementBatch wraps it so no caller takes it for its own).
  const errno = mysqlError(rootCause(error)).errno;
  return errno !== undefined && PERMANENT_ERRNOS.has(errno);
}

export function toIso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
