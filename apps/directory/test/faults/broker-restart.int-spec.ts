import { Ledger, brokerUp, checkLedger, createTenant, infraSh, startLoad, verdictOf, waitFor, waitForAcks } from '@taskize/testing';

/**
 * The test broker SIGKILLed under load and started again on the same data dir (scripts/infra.sh
 * kafka-stop --kill / kafka-start). While it is down every write that cannot be confirmed answers
 * 503 + Retry-After (checked by the ledger for all 503s); a 2xx is only ever a committed change.
 */
describe('Kafka broker killed and restarted under load', () => {
  it('answers 503 + Retry-After while it is down, never an uncommitted 2xx, and recovers', async () => {
    const [a, b] = await Promise.all([createTenant('broker-a'), createTenant('broker-b')]);
    const ledger = new Ledger([a, b]);
    const load = startLoad({ ledger, tenants: [a, b], workersPerTenant: 3, maxRequests: 4_000, durationMs: 200_000 });
    let stoppedAt = 0;
    let startedAt = 0;
    try {
      await waitForAcks(ledger, 40, { what: 'load to get going' });
      await waitFor(async () => ledger.inFlight >= 3, { what: 'requests in flight' });
      infraSh('kafka-stop', '--kill');
      stoppedAt = Date.now();
      try {
        await waitFor(async () => ledger.count('unknown', stoppedAt) >= 12, { timeoutMs: 60_000, what: '503s while the broker is down' });
      } finally {
        if (!brokerUp()) infraSh('kafka-start');
        startedAt = Date.now();
      }
      await waitForAcks(ledger, 40, { since: startedAt, timeoutMs: 120_000, what: 'writes to be acknowledged again after the broker restart' });
    } finally {
      await load.stop();
      if (!brokerUp()) infraSh('kafka-start');
    }
    const during = ledger.entries.filter((e) => e.startedAt >= stoppedAt + 1_000 && e.answeredAt <= startedAt);
    expect(during.length).toBeGreaterThan(0);
    // Requests sent while the broker was down could not be produced: 503 + Retry-After, nothing else.
    expect(during.filter((e) => e.status !== 503)).toEqual([]);
    expect(during.every((e) => /^\d+$/.test(e.retryAfter ?? ''))).toBe(true);

    const report = await checkLedger(ledger, { settleTimeoutMs: 150_000 });
    console.info(`broker-restart: ${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}`);
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(80);
    expect(ledger.entries.filter((e) => verdictOf(e.status) === 'unknown' && e.status !== 503)).toEqual([]);
  }, 480_000);
});
