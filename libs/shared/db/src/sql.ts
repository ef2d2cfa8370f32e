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
  const errno = mysqlError(error).errno;
  return errno !== undefined && PERMANENT_ERRNOS.has(errno);
}

export function toIso(d: Date | string): string {
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
