import { PORTS, serviceEnv, startService, type StartedService } from '@taskize/devstack';
import { Ledger, checkLedger, createTenant, infra, readState, startLoad, waitForAcks } from '@taskize/testing';

/**
 * Gateways scale on their own: each instance reads every reply in a consumer group of its own and
 * keeps those it waits for (docs/adr/0002-reply-path.md). Two more instances join under load, the
 * load is spread over all three, one is drained and stopped with SIGTERM mid-load; every answer goes
 * to the request that asked, and the ledger holds.
 */
describe('several gateway instances started and stopped under load', () => {
  it('answers every request from the right instance, through joins and a SIGTERM', async () => {
    const [a, b] = await Promise.all([createTenant('gw-a'), createTenant('gw-b')]);
    const extra: StartedService[] = [];
    const rotation = [readState().gatewayUrl];
    let turn = 0;
    const ledger = new Ledger([a, b], () => rotation[turn++ % rotation.length]!);
    const load = startLoad({ ledger, tenants: [a, b], workersPerTenant: 3, maxRequests: 4_000, durationMs: 200_000 });
    try {
      await waitForAcks(ledger, 30, { what: 'load through one gateway' });
      for (const port of [PORTS.test['scim-gateway'] + 20, PORTS.test['scim-gateway'] + 21]) {
        const env = serviceEnv('scim-gateway', infra(), 'test', { HTTP_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}/scim/v2` });
        const gateway = await startService('scim-gateway', env, { stdio: 'ignore' });
        extra.push(gateway);
        rotation.push(gateway.url);
      }
      const spread = Date.now();
      await waitForAcks(ledger, 90, { since: spread, timeoutMs: 90_000, what: 'writes acknowledged through three gateways' });

      // Drain one instance, then stop it while its last requests may still be in flight.
      const leaving = extra.shift()!;
      rotation.splice(rotation.indexOf(leaving.url), 1);
      expect(await leaving.stop('SIGTERM', 20_000)).toBe(0);
      const after = Date.now();
      await waitForAcks(ledger, 60, { since: after, timeoutMs: 90_000, what: 'writes acknowledged after one gateway left' });
    } finally {
      await load.stop();
      for (const g of extra) await g.stop('SIGTERM', 20_000);
    }
    const report = await checkLedger(ledger);
    console.info(`gateways: ${JSON.stringify({ ...report, violations: report.violations.slice(0, 50) })}`);
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(150);
  }, 420_000);
});
