import { PORTS } from '@taskize/devstack';
import {
  itKeepsTheConfigContract,
  buildArgs,
  composeCommand,
  composeDockerfile,
  composeEnv,
  dependsOn,
  distSource,
  envExampleVariables,
  exposedPorts,
  healthcheckUrls,
  isRequiredVariableRef,
  kafkaAdvertisedListeners,
  loadCompose,
  nonStringEnvKeys,
  publishedPorts,
  readRepoFile,
  requiredVariables,
  secretLookingEnv,
  sourceExists,
} from '@taskize/testing';
import { configSchema } from './config';

// docker-compose.yml must stay true to this app's config contract (src/config.ts) and devstack PORTS.
const APP = 'scim-gateway';
const PORT = PORTS.dev[APP];
const env = composeEnv(APP);

describe('docker-compose.yml: scim-gateway service', () => {
  itKeepsTheConfigContract('gateway', [APP], configSchema);

  it.each(Object.keys(loadCompose().services))('%s environment has no unquoted booleans (compose rejects them)', (service) => {
    expect(nonStringEnvKeys(service)).toEqual([]);
  });

  it('listens on PORTS.dev.scim-gateway on every interface of the container', () => {
    expect(env['HTTP_PORT']).toBe(String(PORT));
    expect(env['HTTP_HOST']).toBe('0.0.0.0');
  });

  it('publishes its port on the host’s loopback only, at the same number', () => {
    expect(publishedPorts(APP)).toEqual([{ hostIp: '127.0.0.1', host: PORT, container: PORT }]);
  });

  it('advertises the SCIM base URL at the published host port', () => {
    const url = new URL(env['PUBLIC_BASE_URL']!);
    expect(Number(url.port)).toBe(publishedPorts(APP)[0]!.host);
    expect(url.pathname).toBe('/scim/v2');
  });

  it('health-checks /healthz on its own port', () => {
    expect(healthcheckUrls(APP)).toEqual([`http://127.0.0.1:${PORT}/healthz`]);
  });

  it.each([
    ['DIRECTORY_URL', 'directory'],
    ['AUTH_URL', 'auth'],
  ] as const)('%s points at the %s service on the port it listens on and offers to the network', (key, service) => {
    const port = PORTS.dev[service];
    expect(env[key]).toBe(`http://${service}:${port}`);
    expect(composeEnv(service)['HTTP_PORT']).toBe(String(port));
    expect([...exposedPorts(service), ...publishedPorts(service).map((p) => p.container)]).toContain(port);
    expect(env['INTERNAL_API_TOKEN']).toBe(composeEnv(service)['INTERNAL_API_TOKEN']);
  });

  it('reaches Kafka through the kafka service’s advertised internal listener', () => {
    expect(loadCompose().services['kafka']?.image).toMatch(/^apache\/kafka:3\.9\./);
    const internal = kafkaAdvertisedListeners('kafka').filter((l) => l.host === 'kafka');
    expect(internal).toHaveLength(1);
    expect(env['KAFKA_BROKERS']).toBe(`${internal[0]!.host}:${internal[0]!.port}`);
    expect(composeEnv('kafka')['KAFKA_LISTENERS']).toContain(`${internal[0]!.listener}://:${internal[0]!.port}`);
  });

  it.each([
    ['KAFKA_AUTO_CREATE_TOPICS_ENABLE', 'false'],
    ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', '1'],
    ['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', '1'],
    ['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', '1'],
    ['KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS', '0'],
  ])('runs the single-node broker with %s=%s', (key, value) => {
    expect(composeEnv('kafka')[key]).toBe(value);
  });

  it('is built from the shared Dockerfile with APP=scim-gateway, whose entry point exists', () => {
    expect(buildArgs(APP)).toEqual({ APP });
    expect(readRepoFile(composeDockerfile(APP)!)).toContain('dist/apps/${APP}/src/main.js');
    expect(sourceExists(distSource(`dist/apps/${APP}/src/main.js`))).toBe(true);
  });

  it('topics runs the ensure-topics entry, compiled from a source that exists', () => {
    const entry = 'dist/libs/shared/kafka/src/cli/ensure-topics.js';
    expect(composeCommand('topics')).toEqual(['node', entry]);
    expect(sourceExists(distSource(entry))).toBe(true);
    expect(composeEnv('topics')['KAFKA_BROKERS']).toBe(env['KAFKA_BROKERS']);
  });

  it.each([
    ['kafka', 'service_healthy'],
    ['topics', 'service_completed_successfully'],
    ['auth', 'service_healthy'],
    ['directory', 'service_healthy'],
  ])('starts after %s is %s', (dependency, condition) => {
    expect(dependsOn(APP)[dependency]).toBe(condition);
  });

  it.each(requiredVariables(APP))('needs %s, which deploy/compose/.env.example lists', (name) => {
    expect(envExampleVariables()).toContain(name);
  });

  it('deploy/compose/.env.example lists exactly the variables docker-compose.yml requires', () => {
    const required = new Set(Object.keys(loadCompose().services).flatMap((service) => requiredVariables(service)));
    expect([...envExampleVariables()].sort()).toEqual([...required].sort());
  });

  // The whole file, infrastructure included: no committed secret anywhere.
  it.each(secretLookingEnv().map(({ service, key, value }) => [service, key, value] as const))(
    '%s takes %s from a required variable, never a literal',
    (_service, _key, value) => {
      expect(isRequiredVariableRef(value)).toBe(true);
    },
  );
});
