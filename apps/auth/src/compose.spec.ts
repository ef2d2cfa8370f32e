import { PORTS } from '@taskize/devstack';
import {
  buildArgs,
  composeCommand,
  composeDockerfile,
  composeEnv,
  composeService,
  dependsOn,
  distSource,
  envExampleVariables,
  healthcheckUrls,
  isRequiredVariableRef,
  itKeepsTheConfigContract,
  nonStringEnvKeys,
  publishedPorts,
  readRepoFile,
  requiredVariables,
  secretLookingEnv,
  sourceExists,
} from '@taskize/testing';
import { configSchema } from './config';

// docker-compose.yml must stay true to this app's config contract (src/config.ts) and devstack PORTS.
const APP = 'auth';
const MIGRATE = 'migrate-auth';
const ADMIN = 'admin';
const PORT = PORTS.dev[APP];
// The admin CLI loads the same config (apps/auth/src/admin-cli), so its environment must pass it too.
const SERVICES = [APP, MIGRATE, ADMIN];
const env = composeEnv(APP);
const migrateEnv = composeEnv(MIGRATE);

describe('docker-compose.yml: auth service', () => {
  itKeepsTheConfigContract('auth', SERVICES, configSchema);

  it.each(SERVICES)('%s environment has no unquoted booleans (compose rejects them)', (service) => {
    expect(nonStringEnvKeys(service)).toEqual([]);
  });

  it('listens on PORTS.dev.auth on every interface of the container', () => {
    expect(env['HTTP_PORT']).toBe(String(PORT));
    expect(env['HTTP_HOST']).toBe('0.0.0.0');
  });

  it('publishes its port on the host’s loopback only, at the same number', () => {
    expect(publishedPorts(APP)).toEqual([{ hostIp: '127.0.0.1', host: PORT, container: PORT }]);
  });

  it('health-checks /healthz on its own port', () => {
    expect(healthcheckUrls(APP)).toEqual([`http://127.0.0.1:${PORT}/healthz`]);
  });

  it('reaches Kafka for account links and identity events, after the topics exist, but does not wait for the broker to start', () => {
    expect(env['KAFKA_BROKERS']).toBe('kafka:9092');
    expect(dependsOn(APP)).toHaveProperty('topics', 'service_completed_successfully');
    expect(dependsOn(APP)).not.toHaveProperty('kafka');
  });

  it('is built from the shared Dockerfile with APP=auth, whose entry point exists', () => {
    expect(buildArgs(APP)).toEqual({ APP });
    const dockerfile = composeDockerfile(APP)!;
    expect(readRepoFile(dockerfile)).toContain('dist/apps/${APP}/src/main.js');
    expect(sourceExists(distSource(`dist/apps/${APP}/src/main.js`))).toBe(true);
  });

  it('runs with the DML-only user; the migrator credentials stay in the migrate one-shot', () => {
    expect(env).not.toHaveProperty('DB_MIGRATION_USER');
    expect(env).not.toHaveProperty('DB_MIGRATION_PASSWORD');
  });

  it.each(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'INTERNAL_API_TOKEN'])(
    'migrate-auth uses the same %s as the service',
    (key) => {
      expect(migrateEnv[key]).toBe(env[key]);
    },
  );

  it('migrate-auth connects as the schema’s migrator user', () => {
    expect(migrateEnv['DB_MIGRATION_USER']).toMatch(/^[A-Za-z0-9_]+$/);
    expect(migrateEnv['DB_MIGRATION_USER']).not.toBe(migrateEnv['DB_USER']);
    expect(isRequiredVariableRef(migrateEnv['DB_MIGRATION_PASSWORD'] ?? '')).toBe(true);
  });

  it.each([
    [MIGRATE, 'dist/apps/auth/src/migrate.js'],
    [ADMIN, 'dist/apps/auth/src/admin-cli/main.js'],
    ['topics', 'dist/libs/shared/kafka/src/cli/ensure-topics.js'],
  ])('%s runs %s, compiled from a source that exists', (service, entry) => {
    expect(composeCommand(service)).toEqual(['node', entry]);
    expect(sourceExists(distSource(entry))).toBe(true);
  });

  it('admin works on the schema as the DML-only user, like the service', () => {
    const adminEnv = composeEnv(ADMIN);
    for (const key of ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD']) expect(adminEnv[key]).toBe(env[key]);
    expect(adminEnv).not.toHaveProperty('DB_MIGRATION_USER');
  });

  it('admin is a tool run on demand, not part of `docker compose up`', () => {
    expect(composeService(ADMIN).profiles).toEqual(['tools']);
  });

  it.each([
    ['AUTH_DB_NAME', 'DB_NAME', env],
    ['AUTH_DB_USER', 'DB_USER', env],
    ['AUTH_DB_PASSWORD', 'DB_PASSWORD', env],
    ['AUTH_DB_MIGRATION_USER', 'DB_MIGRATION_USER', migrateEnv],
    ['AUTH_DB_MIGRATION_PASSWORD', 'DB_MIGRATION_PASSWORD', migrateEnv],
  ])('db-init creates with %s the %s auth connects with', (initKey, appKey, appEnv) => {
    expect(composeEnv('db-init')[initKey]).toBe(appEnv[appKey]);
  });

  it.each([
    [APP, 'mysql', 'service_healthy'],
    [APP, MIGRATE, 'service_completed_successfully'],
    [MIGRATE, 'db-init', 'service_completed_successfully'],
    [ADMIN, MIGRATE, 'service_completed_successfully'],
    ['db-init', 'mysql', 'service_healthy'],
    ['topics', 'kafka', 'service_healthy'],
  ])('%s starts after %s is %s', (service, dependency, condition) => {
    expect(composeService(dependency)).toBeDefined();
    expect(dependsOn(service)[dependency]).toBe(condition);
  });

  it.each(SERVICES.flatMap((service) => requiredVariables(service).map((name) => [service, name] as const)))(
    '%s needs %s, which deploy/compose/.env.example lists',
    (_service, name) => {
      expect(envExampleVariables()).toContain(name);
    },
  );

  it.each(secretLookingEnv().filter(({ service }) => SERVICES.includes(service)).map(({ service, key, value }) => [service, key, value] as const))(
    '%s takes %s from a required variable, never a literal',
    (_service, _key, value) => {
      expect(isRequiredVariableRef(value)).toBe(true);
    },
  );
});
