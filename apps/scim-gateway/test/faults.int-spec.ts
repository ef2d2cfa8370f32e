import { repoRoot } from '@taskize/devstack';
import { createTenant, infra, killService, scim, waitFor, type TestTenant } from '@taskize/testing';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * The test broker's java pid. The pid file written by scripts/infra.sh is checked against the process's
 * command line; `pgrep` is exec'd directly, not through `bash -c`, because a shell carrying the pattern
 * in its own argv matches itself — a CI run once picked that short-lived shell's pid (kill ESRCH).
 */
function kafkaPid(): number {
  const props = join(repoRoot(), '.cache', 'test', 'server.properties');
  const isBroker = (pid: number): boolean => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(`kafka.Kafka ${props}`);
    } catch {
      return false;
    }
  };
  const fromFile = Number(readFileSync(join(repoRoot(), '.cache', 'test', 'kafka.pid'), 'utf8').trim());
  if (fromFile && isBroker(fromFile)) return fromFile;
  let out = '';
  try {
    out = execFileSync('pgrep', ['-f', `kafka.Kafka ${props}`], { encoding: 'utf8' });
  } catch {
    // pgrep exits 1 when nothing matches
  }
  const pid = out.split('\n').map(Number).find((p) => p && isBroker(p));
  if (!pid) throw new Error(`no test broker process found (port ${(infra()['KAFKA_BROKERS'] ?? '').split(':')[1]})`);
  return pid;
}

describe('faults in the write path', () => {
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant('faults');
  });

  it('answers 503 with Retry-After when the directory is down, and applies the event once it is back', async () => {
    const restart = await killService('directory', 'SIGKILL');
    const userName = `down.${Date.now()}@example.com`;
    let res;
    try {
      const started = Date.now();
      res = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName } });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await restart();
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '503' });
    expect(res.text).not.toMatch(/Error:|at .*\.js/); // no internals

    // The event was accepted by Kafka: the restarted directory applies it; a retry then finds it.
    const found = await waitFor(async () => {
      const r = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { token: tenant.token });
      return r.body['totalResults'] === 1 ? r : undefined;
    }, { timeoutMs: 30_000, what: 'the user to be applied after restart' });
    expect((found.body['Resources'] as { userName: string }[])[0]!.userName).toBe(userName);
    const retry = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName } });
    expect(retry.status).toBe(409);
  });

  it('answers 503 with Retry-After when the broker does not answer, and works again when it does', async () => {
    const pid = kafkaPid();
    process.kill(pid, 'SIGSTOP');
    let res;
    try {
      res = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName: `frozen.${Date.now()}@example.com` } });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '503' });

    const userName = `thawed.${Date.now()}@example.com`;
    const ok = await waitFor(async () => {
      const r = await scim('POST', '/Users', { token: tenant.token, body: { schemas: [USER], userName } });
      return r.status === 201 || r.status === 409 ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1_000, what: 'writes to work again after the broker resumed' });
    expect([201, 409]).toContain(ok.status);
  });
});
