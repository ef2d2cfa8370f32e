import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, writeState } from './state';

// Jest loads this file without moduleNameMapper, so the stack helpers come from the build output
// (the import below is for types only and is erased).
import type * as Devstack from '@taskize/devstack';

/**
 * Integration tests run against real processes: the test Kafka broker and MariaDB schemas that
 * `scripts/infra.sh up --profile test` provides, plus auth, directory and gateway started here from
 * the compiled code on the test ports. Service logs go to .cache/test-reports/services.log.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
  const devstack = require(join(REPO_ROOT, 'dist/libs/shared/devstack/src/index.js')) as typeof Devstack;
  const infra = devstack.infraEnv('test');
  await devstack.prepare(infra, 'test');
  mkdirSync(join(REPO_ROOT, '.cache/test-reports'), { recursive: true });
  const logFile = join(REPO_ROOT, '.cache/test-reports/services.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const services = await devstack.startStack(infra, 'test', { onOutput: (line) => log.write(`${line}\n`) });
  const url = (app: string) => services.find((s) => s.app === app)?.url ?? '';
  writeState({
    profile: 'test',
    gatewayUrl: url('scim-gateway'),
    directoryUrl: url('directory'),
    authUrl: url('auth'),
    logFile,
    pids: Object.fromEntries(services.map((s) => [s.app, s.child.pid ?? 0])),
  });
  // Detach: teardown stops them by pid (tests may restart a service and record its new pid).
  for (const s of services) s.child.unref();
}
