import { Ledger, checkLedger, createTenant, ensureServiceRunning, killService, startLoad, waitFor, waitForAcks } from '@taskize/testing';

/**
 * SIGKILL of the directory in the middle of continuous writes from two tenants that use the same
 * userNames and group names. With chunks committing all the time, a kill lands before some chunk's
 * MySQL commit (its events are redelivered and applied once) and after another's (committed, reply
 * or offset commit lost: redelivered and answered from processed_events). The ledger check proves both.
 * The restarted instance gets a new member id, so the dead member's partitions wait for the
 * session timeout (30 s) before they move.
 */
describe('directory killed with SIGKILL under load', () => {
  it('loses no acknowledged write and applies nothing twice across two kills', async () => {
    const [a, b] = await Promise.all([createTenant('kill-a'), createTenant('kill-b')]);
    const ledger = new Ledger([a, b]);
    const load = startLoad({ ledger, tenants: [a, b], workersPerTenant: 3, maxRequests: 4_000, durationMs: 200_000 });
    try {
      await waitForAcks(ledger, 40, { what: 'load to get going' });
      for (let round = 1; round <= 2; round++) {
        // Kill while requests are in flight: some chunks mid-transaction, some committed but not yet replied.
        await waitFor(async () => ledger.inFlight >= 3, { what: 'requests in flight' });
        const restart = await killService('directory', 'SIGKILL');
        const killedAt = Date.now();
        await restart();
        await waitForAcks(ledger, 30, { since: killedAt, timeoutMs: 90_000, what: `writes to be acknowledged again after kill ${round}` });
      }
    } finally {
      await load.stop();
      await ensureServiceRunning('directory');
    }
    const report = await checkLedger(ledger);
    console.info(`directory-kill: ${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}`);
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(100);
    expect(report.eventsOfTenants).toBeGreaterThan(100);
  }, 420_000);
});
