import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One metric catalogue for every service (issue 6), served as Prometheus text on GET /metrics.
 * Label values are bounded and tenant-independent: route templates, methods, status codes, topics,
 * partitions, outcomes — never a tenant id, user name or email (cardinality and privacy).
 * Metrics are created on first use, so a service exposes only the families it actually updates.
 */
export const registry = new Registry();

export const CONTENT_TYPE = registry.contentType;

let initialised = false;
export function initMetrics(service: string): void {
  if (initialised) return;
  initialised = true;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
}

const MS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

type PoolSample = { inUse: number; idle: number; waiting: number; limit: number };
let poolSampler: (() => PoolSample | undefined) | undefined;
/** The MySQL pool to report on (TypeORM's mysql2 pool); sampled at scrape time. */
export function setPoolSampler(sampler: () => PoolSample | undefined): void {
  poolSampler = sampler;
  metrics.dbPool();
}

let backlogSampler: (() => Promise<number | undefined>) | undefined;
export function setOutboxBacklogSampler(sampler: () => Promise<number | undefined>): void {
  backlogSampler = sampler;
  metrics.outboxBacklog();
}

export const metrics = {
  httpDuration: lazy(
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP requests by route template, method and status code',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: MS_BUCKETS,
        registers: [registry],
      }),
  ),
  scimOperations: lazy(
    () =>
      new Counter({
        name: 'scim_operations_total',
        help: 'SCIM operations by resource type, operation and outcome (status code and scimType)',
        labelNames: ['resource', 'operation', 'status', 'scim_type'] as const,
        registers: [registry],
      }),
  ),
  rateLimited: lazy(
    () => new Counter({ name: 'scim_rate_limited_total', help: 'SCIM requests answered 429 by the per-tenant limit, by plan', labelNames: ['plan'] as const, registers: [registry] }),
  ),
  replyWait: lazy(
    () =>
      new Histogram({
        name: 'provisioning_reply_wait_seconds',
        help: "Time from producing a provisioning event to the directory's outcome, by how it arrived (reply, stored, none)",
        labelNames: ['via'] as const,
        buckets: MS_BUCKETS,
        registers: [registry],
      }),
  ),
  kafkaProduceDuration: lazy(
    () =>
      new Histogram({
        name: 'kafka_produce_duration_seconds',
        help: 'Kafka produce until acknowledged (acks=-1), by topic',
        labelNames: ['topic'] as const,
        buckets: MS_BUCKETS,
        registers: [registry],
      }),
  ),
  kafkaProduceErrors: lazy(
    () =>
      new Counter({ name: 'kafka_produce_errors_total', help: 'Kafka produces that failed or timed out, by topic', labelNames: ['topic', 'reason'] as const, registers: [registry] }),
  ),
  consumerLag: lazy(
    () =>
      new Gauge({
        name: 'kafka_consumer_lag',
        help: 'Messages behind the end of the partition at the last fetched batch, by group, topic and partition',
        labelNames: ['group', 'topic', 'partition'] as const,
        registers: [registry],
      }),
  ),
  eventsProcessed: lazy(
    () =>
      new Counter({
        name: 'provisioning_events_total',
        help: 'Provisioning events handled by the directory, by type and outcome (applied, rejected, duplicate, dead_lettered)',
        labelNames: ['type', 'outcome'] as const,
        registers: [registry],
      }),
  ),
  applyDuration: lazy(
    () =>
      new Histogram({
        name: 'provisioning_chunk_duration_seconds',
        help: 'One chunk of provisioning events applied in one MySQL transaction',
        buckets: MS_BUCKETS,
        registers: [registry],
      }),
  ),
  outboxBacklog: lazy(
    () =>
      new Gauge({
        name: 'outbox_backlog',
        help: 'Committed identity events not yet published to identity.events',
        registers: [registry],
        async collect() {
          const value = await backlogSampler?.().catch(() => undefined);
          if (value !== undefined) this.set(value);
        },
      }),
  ),
  relayLag: lazy(
    () =>
      new Histogram({
        name: 'outbox_relay_lag_seconds',
        help: 'Commit of a change to its identity event acknowledged on identity.events',
        buckets: MS_BUCKETS,
        registers: [registry],
      }),
  ),
  dbPool: lazy(
    () =>
      new Gauge({
        name: 'db_pool_connections',
        help: 'MySQL pool connections by state (in_use, idle, waiting requests, limit)',
        labelNames: ['state'] as const,
        registers: [registry],
        collect() {
          const s = poolSampler?.();
          if (!s) return;
          this.set({ state: 'in_use' }, s.inUse);
          this.set({ state: 'idle' }, s.idle);
          this.set({ state: 'waiting' }, s.waiting);
          this.set({ state: 'limit' }, s.limit);
        },
      }),
  ),
  tokenValidations: lazy(
    () =>
      new Counter({
        name: 'auth_token_validations_total',
        help: 'Bearer token checks at the gateway, by kind (jwt, opaque) and result',
        labelNames: ['kind', 'result'] as const,
        registers: [registry],
      }),
  ),
  interactions: lazy(
    () =>
      new Counter({
        name: 'auth_interactions_total',
        help: 'Sign-in and consent outcomes on the authorization server, by step and result',
        labelNames: ['step', 'result'] as const,
        registers: [registry],
      }),
  ),
};

export async function renderMetrics(): Promise<string> {
  return registry.metrics();
}
