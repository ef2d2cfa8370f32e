#!/usr/bin/env node
// `npm run admin|migrate|topics|events -- …`: builds, then runs the compiled one-shot with the service's
// environment derived from the local infra profile (INFRA_PROFILE=dev|test, default dev).
// In production the same entry points run with the environment the platform provides.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await import('./build.mjs');
const require = createRequire(import.meta.url);
const { infraEnv, serviceEnv, distEntry } = require(join(root, 'dist/libs/shared/devstack/src/index.js'));

const profile = process.env.INFRA_PROFILE === 'test' ? 'test' : 'dev';
const [command, ...args] = process.argv.slice(2);

function exec(script, scriptArgs, env) {
  const { status } = spawnSync(process.execPath, [script, ...scriptArgs], { stdio: 'inherit', env: { ...process.env, ...env } });
  return status ?? 1;
}

let code = 0;
const infra = () => infraEnv(profile);
switch (command) {
  case 'admin':
    code = exec(distEntry('auth', 'admin-cli/main.js'), args, serviceEnv('auth', infra(), profile));
    break;
  case 'migrate': {
    const apps = !args[0] || args[0] === 'all' ? ['auth', 'directory'] : [args[0]];
    const direction = args[1] === 'down' ? 'down' : 'up';
    for (const app of apps) code ||= exec(distEntry(app, 'migrate.js'), [direction], serviceEnv(app, infra(), profile));
    break;
  }
  case 'events': {
    // --org <slug> → --tenant <organisation id>, looked up through the admin CLI.
    const i = args.indexOf('--org');
    const rest = [...args];
    if (i >= 0) {
      const slug = args[i + 1];
      const { status, stdout } = spawnSync(process.execPath, [distEntry('auth', 'admin-cli/main.js'), 'org:show', '--slug', slug ?? ''], {
        env: { ...process.env, ...serviceEnv('auth', infra(), profile) },
        encoding: 'utf8',
      });
      if (status !== 0) process.exit(status ?? 1);
      rest.splice(i, 2, '--tenant', JSON.parse(stdout).id);
    }
    code = exec(join(root, 'dist/libs/shared/kafka/src/cli/events.js'), rest, { KAFKA_BROKERS: infra().KAFKA_BROKERS });
    break;
  }
  case 'topics':
    code = exec(join(root, 'dist/libs/shared/kafka/src/cli/ensure-topics.js'), [], { KAFKA_BROKERS: infra().KAFKA_BROKERS });
    break;
  default:
    process.stderr.write('usage: npm run admin|migrate|topics|events -- [args]\n');
    code = 2;
}
process.exit(code);
