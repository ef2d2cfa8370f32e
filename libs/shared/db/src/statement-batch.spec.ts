import { DeferredStatementError, StatementBatch, rootCause, write } from './statement-batch';
import { isPermanentDataError, mysqlError, type Queryable } from './sql';

/** Records what reaches "MySQL" and answers like mysql2: one result per statement of a multi-statement query. */
class FakeConnection implements Queryable {
  readonly sent: { sql: string; params: unknown[] }[] = [];
  failWith?: unknown;

  async query(sql: string, params: unknown[] = []): Promise<unknown> {
    this.sent.push({ sql, params });
    if (this.failWith) throw this.failWith;
    const statements = sql.split(';\n');
    const results = statements.map((s) => (s.startsWith('SELECT') ? [{ sql: s }] : { affectedRows: 1 }));
    return statements.length === 1 ? results[0] : results;
  }
}

const dup = Object.assign(new Error("Duplicate entry 'x' for key 'PRIMARY'"), { errno: 1062 });
const tooLong = Object.assign(new Error('Data too long'), { errno: 1406 });

describe('StatementBatch', () => {
  it('sends deferred statements with the next query, in order, with their values in order', async () => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    q.defer('START TRANSACTION', [], { control: true });
    q.defer('INSERT INTO a VALUES (?)', [1]);
    const result = await q.query('SELECT b FROM c WHERE d = ?', [2]);
    expect(db.sent).toEqual([{ sql: 'START TRANSACTION;\nINSERT INTO a VALUES (?);\nSELECT b FROM c WHERE d = ?', params: [1, 2] }]);
    expect(result).toEqual([{ sql: 'SELECT b FROM c WHERE d = ?' }]); // the query's own result, not the batch's
    expect(q.queued).toBe(0);
    expect(q.sends).toBe(1);
  });

  it('sends a query alone when nothing is queued, and flush() sends only what is queued', async () => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    await q.query('SELECT 1');
    await q.flush(); // nothing queued: no round trip
    q.defer('INSERT INTO a VALUES (?)', [1]);
    q.defer('INSERT INTO b VALUES (?)', [2]);
    await q.flush();
    expect(db.sent.map((s) => s.sql)).toEqual(['SELECT 1', 'INSERT INTO a VALUES (?);\nINSERT INTO b VALUES (?)']);
    expect(q.sends).toBe(2);
  });

  it.each([
    ['only transaction control queued', [['SAVEPOINT s', true]], 'raw'],
    ['a data statement queued', [['SAVEPOINT s', true], ['INSERT INTO outbox VALUES (?)', false]], 'wrapped'],
  ] as const)('a failed query with %s throws the driver error %s', async (_case, queued, expected) => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    for (const [sql, control] of queued) q.defer(sql, [], { control });
    db.failWith = dup;
    const error = await q.query('INSERT INTO users VALUES (?)', [1]).catch((e: unknown) => e);
    if (expected === 'raw') {
      expect(error).toBe(dup); // the users INSERT's own duplicate: 409 is right
    } else {
      // Might be the outbox row's: nobody may read it as "userName taken".
      expect(error).toBeInstanceOf(DeferredStatementError);
      expect(mysqlError(error).errno).toBeUndefined();
      expect(rootCause(error)).toBe(dup);
    }
  });

  it('a failed flush of data statements is wrapped, and still counts as a permanent data error when it is one', async () => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    q.defer('INSERT INTO outbox VALUES (?)', ['x'.repeat(10)]);
    db.failWith = tooLong;
    const error = await q.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeferredStatementError);
    expect(isPermanentDataError(error)).toBe(true);
    expect(isPermanentDataError(new DeferredStatementError(dup))).toBe(false);
  });

  it('discard() drops everything queued', async () => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    q.defer('SAVEPOINT s', [], { control: true });
    q.defer('INSERT INTO a VALUES (?)', [1]);
    q.discard();
    await q.flush();
    expect(db.sent).toHaveLength(0);
  });

  it('write() defers on a StatementBatch and runs at once on a plain connection', async () => {
    const db = new FakeConnection();
    const q = new StatementBatch(db);
    await write(q, 'DELETE FROM a WHERE b = ?', [1]);
    expect(db.sent).toHaveLength(0);
    expect(q.queued).toBe(1);
    await write(db, 'DELETE FROM a WHERE b = ?', [1]);
    expect(db.sent).toHaveLength(1);
  });
});
