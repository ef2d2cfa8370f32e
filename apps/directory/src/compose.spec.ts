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
  exposedPorts,
  healthcheckUrls,
  isRequiredVariableRef,
  itKeepsTheConfigContract,
  kafkaAdvertisedListeners,
  nonStringEnvKeys,
  publishedPorts,
  readRepoFile,
  requiredVariables,
  secretLookingEnv,
  sourceExists,
} from '@taskize/testing';
import { configSchema } from './config';

// docker-compose.yml must stay true to this app's config contract (src/config.ts) and devstack PORTS.
const APP = 'directory';
const MIGRATE = 'migrate-directory';
const PORT = PORTS.dev[APP];
const SERVICES = [APP, MIGRATE];
const env = composeEnv(APP);
const migrateEnv = composeEnv(MIGRATE);

describe('docker-compose.yml: directory service', () => {
  itKeepsTheConfigContract('directory', SERVICES, configSchema);

  it.each(SERVICES)('%s environment has no unquoted booleans (compose rejects them)', (service) => {
    expect(nonStringEnvKeys(service)).toEqual([]);
  });

  it('listens on PORTS.dev.directory on every interface of the container', () => {
    expect(env['HTTP_PORT']).toBe(String(PORT));
    expect(env['HTTP_HOST']).toBe('0.0.0.0');
  });

  it('exposes its port to the compose network only, never on the host', () => {
    expect(exposedPorts(APP)).toEqual([PORT]);
    expect(publishedPorts(APP)).toEqual([]);
  });

  it('health-checks /healthz on its own port', () => {
    expect(healthcheckUrls(APP)).toEqual([`http://127.0.0.1:${PORT}/healthz`]);
  });

  it('reaches Kafka through the broker’s advertised internal listener', () => {
    const internal = kafkaAdvertisedListeners().filter((l) => l.host === 'kafka');
    expect(internal).toHaveLength(1);
    expect(env['KAFKA_BROKERS']).toBe(`${internal[0]!.host}:${internal[0]!.port}`);
  });

  it('is built from the shared Dockerfile with APP=directory, whose entry point exists', () => {
    expect(buildArgs(APP)).toEqual({ APP });
    const dockerfile = composeDockerfile(APP)!;
    expect(readRepoFile(dockerfile)).toContain('dist/apps/${APP}/src/main.js');
    expect(sourceExists(distSource(`dist/apps/${APP}/src/main.js`))).toBe(true);
  });

  it('runs with the DML-only user; the migrator credentials stay in the migrate one-shot', () => {
    expect(env).not.toHaveProperty('DB_MIGRATION_USER');
    expect(env).not.toHaveProperty('DB_MIGRATION_PASSWORD');
  });

  it.each(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'KAFKA_BROKERS', 'INTERNAL_API_TOKEN'])(
    'migrate-directory uses the same %s as the service',
    (key) => {
      expect(migrateEnv[key]).toBe(env[key]);
    },
  );

  it('migrate-directory connects as the schema’s migrator user', () => {
    expect(migrateEnv['DB_MIGRATION_USER']).toMatch(/^[A-Za-z0-9_]+$/);
    expect(migrateEnv['DB_MIGRATION_USER']).not.toBe(migrateEnv['DB_USER']);
    expect(isRequiredVariableRef(migrateEnv['DB_MIGRATION_PASSWORD'] ?? '')).toBe(true);
  });

  it.each([
    [MIGRATE, 'dist/apps/directory/src/migrate.js'],
    ['topics', 'dist/libs/shared/kafka/src/cli/ensure-topics.js'],
  ])('%s runs %s, compiled from a source that exists', (service, entry) => {
    expect(composeCommand(service)).toEqual(['node', entry]);
    expect(sourceExists(distSource(entry))).toBe(true);
  });

  it('topics provisions the broker the service consumes from', () => {
    expect(composeEnv('topics')['KAFKA_BROKERS']).toBe(env['KAFKA_BROKERS']);
  });

  it.each([
    ['DIRECTORY_DB_NAME', 'DB_NAME', env],
    ['DIRECTORY_DB_USER', 'DB_USER', env],
    ['DIRECTORY_DB_PASSWORD', 'DB_PASSWORD', env],
    ['DIRECTORY_DB_MIGRATION_USER', 'DB_MIGRATION_USER', migrateEnv],
    ['DIRECTORY_DB_MIGRATION_PASSWORD', 'DB_MIGRATION_PASSWORD', migrateEnv],
  ])('db-init creates with %s the %s the directory connects with', (initKey, appKey, appEnv) => {
    expect(composeEnv('db-init')[initKey]).toBe(appEnv[appKey]);
  });

  it.each([
    [APP, 'kafka', 'service_healthy'],
    [APP, 'mysql', 'service_healthy'],
    [APP, 'topics', 'service_completed_successfully'],
    [APP, MIGRATE, 'service_completed_successfully'],
    [MIGRATE, 'db-init', 'service_completed_successfully'],
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
