import { serviceEnv, startService, type StartedService } from '@taskize/devstack';
import { Ledger, checkLedger, consumerGroupMembers as groupMembers, createTenant, ensureServiceRunning, infra, startLoad, waitFor, waitForAcks } from '@taskize/testing';

/**
 * A second directory instance joins the consumer group mid-load (partitions move to it while
 * chunks are in flight), then leaves with SIGTERM (it finishes its chunk and leaves the group at
 * once, without a session-timeout wait). Writes keep being acknowledged and the ledger holds.
 */
describe('a second directory instance joining and leaving under load', () => {
  it('rebalances twice without losing, reordering or duplicating a change', async () => {
    const [a, b] = await Promise.all([createTenant('rebal-a'), createTenant('rebal-b')]);
    const ledger = new Ledger([a, b]);
    const load = startLoad({ ledger, tenants: [a, b], workersPerTenant: 3, maxRequests: 4_000, durationMs: 200_000 });
    let second: StartedService | undefined;
    try {
      await waitForAcks(ledger, 40, { what: 'load to get going' });
      expect(await groupMembers()).toBe(1);
      second = await startService('directory', serviceEnv('directory', infra(), 'test', { HTTP_PORT: '13012' }), { stdio: 'ignore' });
      await waitFor(async () => (await groupMembers()) === 2, { timeoutMs: 45_000, what: 'the second instance in the group' });
      const joinedAt = Date.now();
      await waitForAcks(ledger, 40, { since: joinedAt, timeoutMs: 60_000, what: 'writes acknowledged with two instances' });

      await waitFor(async () => ledger.inFlight >= 3, { what: 'requests in flight' });
      const leaving = Date.now();
      // Graceful operations (issue 6, item 6): it finishes its chunk, commits, leaves the group and exits 0.
      expect(await second.stop('SIGTERM', 20_000)).toBe(0);
      second = undefined;
      expect(Date.now() - leaving).toBeLessThan(15_000);
      // A clean leave: the group is back to one member well before a 30 s session timeout.
      await waitFor(async () => (await groupMembers()) === 1, { timeoutMs: 15_000, what: 'the group back to one member' });
      const leftAt = Date.now();
      await waitForAcks(ledger, 40, { since: leftAt, timeoutMs: 60_000, what: 'writes acknowledged after the second instance left' });
    } finally {
      await load.stop();
      await second?.stop('SIGKILL');
      await ensureServiceRunning('directory');
    }
    const report = await checkLedger(ledger);
    console.info(`rebalance: ${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}`);
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(100);
  }, 420_000);
});
