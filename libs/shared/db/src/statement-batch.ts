import type { Queryable } from './sql';

/**
 * A deferred statement failed: it rode along with a later statement or a flush, so its error is not that
 * statement's. Callers that read a specific errno (ER_DUP_ENTRY → 409) never see it as their own.
 */
export class DeferredStatementError extends Error {
  constructor(override readonly cause: unknown) {
    super(`a deferred statement failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DeferredStatementError';
  }
}

/** The error a deferred statement raised, or the error itself. */
export function rootCause(error: unknown): unknown {
  return error instanceof DeferredStatementError ? error.cause : error;
}

interface Pending {
  sql: string;
  params: unknown[];
  /** Transaction control (START TRANSACTION, SAVEPOINT): its failure is never the data's fault. */
  control: boolean;
}

/**
 * One transaction's connection that sends the statements whose results nobody reads (the outbox row, the
 * tenant counter, email rows, the dedupe row, SAVEPOINT) together with the next statement that needs an
 * answer, or at flush(), as one multi-statement round trip.
 *
 * Why: on the 2-core benchmark host every round trip to MariaDB cost ~0.2 ms of socket write plus a wait
 * for MariaDB's thread, and a create was ten of them (docs/benchmarks.md, run 7). With this it is one: the
 * directory queues all of a create, BEGIN to COMMIT, and sorts out a failure afterwards (ProvisioningApplier).
 *
 * The connection must be opened with mysql2's `multipleStatements`; the directory uses a separate pool
 * for its write path so that the read API, which builds SQL from SCIM filters, never has it. Values are
 * still bound by the driver (`?` placeholders), never concatenated into the SQL text.
 *
 * Errors: a failed round trip that carried deferred data statements throws DeferredStatementError (the
 * original as `cause`), never the raw driver error, so no caller mistakes it for its own statement's error.
 */
export class StatementBatch implements Queryable {
  private pending: Pending[] = [];
  private sent = 0;

  constructor(private readonly inner: Queryable) {}

  /** Queues a statement whose result is not needed; it runs, in order, before the next query() or at flush(). */
  defer(sql: string, params: unknown[] = [], opts: { control?: boolean } = {}): void {
    this.pending.push({ sql, params, control: opts.control ?? false });
  }

  /** Drops what is queued (the caller is about to roll it back anyway). */
  discard(): void {
    this.pending = [];
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Round trips so far: unchanged means nothing queued since was sent. */
  get sends(): number {
    return this.sent;
  }

  /** Runs `sql` after everything queued, in one round trip, and returns `sql`'s own result. */
  async query(sql: string, params: unknown[] = []): Promise<unknown> {
    if (!this.pending.length) {
      this.sent++;
      return this.inner.query(sql, params);
    }
    const batch = this.take();
    let results: unknown;
    try {
      results = await this.inner.query([...batch.map((s) => s.sql), sql].join(';\n'), [...batch.flatMap((s) => s.params), ...params]);
    } catch (error) {
      throw batch.every((s) => s.control) ? error : new DeferredStatementError(error);
    }
    // mysql2 answers a multi-statement query with one result per statement.
    return (results as unknown[])[batch.length];
  }

  /** Sends everything queued now (one round trip). */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.take();
    try {
      await this.inner.query(batch.map((s) => s.sql).join(';\n'), batch.flatMap((s) => s.params));
    } catch (error) {
      throw batch.every((s) => s.control) ? error : new DeferredStatementError(error);
    }
  }

  private take(): Pending[] {
    this.sent++;
    const batch = this.pending;
    this.pending = [];
    return batch;
  }
}

/**
 * A write whose result the caller does not need: deferred when `q` batches statements, run now otherwise
 * (the stores are also called outside the write path, on plain connections).
 */
export async function write(q: Queryable, sql: string, params: unknown[] = []): Promise<void> {
  if (q instanceof StatementBatch) q.defer(sql, params);
  else await q.query(sql, params);
}
