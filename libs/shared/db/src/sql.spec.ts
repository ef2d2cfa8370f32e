import { ER_DUP_ENTRY, ER_LOCK_DEADLOCK, retryOnDeadlock } from './sql';

/** What TypeORM throws: a QueryFailedError carrying the driver's error. */
const failure = (errno: number) => Object.assign(new Error(`errno ${errno}`), { driverError: { errno } });

describe('retryOnDeadlock', () => {
  it.each([
    ['succeeds at once', [], 1, 'ok'],
    ['runs again after one deadlock', [ER_LOCK_DEADLOCK], 2, 'ok'],
    ['runs again after two deadlocks', [ER_LOCK_DEADLOCK, ER_LOCK_DEADLOCK], 3, 'ok'],
  ])('%s', async (_, failures, calls, result) => {
    const queue = [...failures];
    const statement = jest.fn(async () => {
      const errno = queue.shift();
      if (errno !== undefined) throw failure(errno);
      return 'ok';
    });
    await expect(retryOnDeadlock(statement)).resolves.toBe(result);
    expect(statement).toHaveBeenCalledTimes(calls);
  });

  it('gives up after the third deadlock with the deadlock error', async () => {
    const statement = jest.fn(async () => Promise.reject(failure(ER_LOCK_DEADLOCK)));
    await expect(retryOnDeadlock(statement)).rejects.toThrow(`errno ${ER_LOCK_DEADLOCK}`);
    expect(statement).toHaveBeenCalledTimes(3);
  });

  it('never retries another error', async () => {
    const statement = jest.fn(async () => Promise.reject(failure(ER_DUP_ENTRY)));
    await expect(retryOnDeadlock(statement)).rejects.toThrow(`errno ${ER_DUP_ENTRY}`);
    expect(statement).toHaveBeenCalledTimes(1);
  });
});
