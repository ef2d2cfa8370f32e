/**
 * Every Kafka topic of Taskize Connect, declared once. The provisioning step (`npm run topics`),
 * the services, docker-compose and the tests all read this table; nothing else names a topic.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: 'delete' | 'compact';
  /** -1 keeps messages forever. */
  readonly retentionMs: number;
  readonly key: string;
  readonly description: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const TOPICS = {
  /**
   * Gateway → directory. Keyed by tenant id so one tenant's changes are applied in order.
   * 12 partitions: the ceiling for directory replicas (one consumer per partition); a hot tenant
   * stays on one partition by design (ordering), see docs/architecture.md.
   */
  provisioning: {
    name: 'scim.provisioning.v1',
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY,
    key: 'tenant id',
    description: 'Validated SCIM write requests as provisioning events (UserCreated, …), applied by the directory.',
  },
  /** Directory → gateway instance that asked. Keyed by gateway instance id; short-lived by nature. */
  provisioningReplies: {
    name: 'scim.provisioning.replies.v1',
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 1 * HOUR,
    key: 'gateway instance id',
    description: 'Outcome of each provisioning event (stored resource or SCIM error), sent after the MySQL commit.',
  },
  /** Provisioning events that can never be applied, with the cause in headers. */
  provisioningDeadLetter: {
    name: 'scim.provisioning.dlq.v1',
    partitions: 1,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'original key',
    description: 'Poison provisioning events (unparseable or schema-invalid) after bounded attempts.',
  },
  /** The committed change stream downstream Taskize services subscribe to. The name is their contract. */
  identityEvents: {
    name: 'identity.events',
    partitions: 12,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY,
    key: 'tenant id',
    description: 'Committed identity events (CloudEvents 1.0) published from the directory outbox.',
  },
  /**
   * Latest committed state of every resource, compacted: one record per `User:<id>` / `Group:<id>`,
   * a tombstone (null) after a delete. A new subscriber reads it from the beginning to bootstrap,
   * then follows identity.events (docs/events.md).
   */
  identityState: {
    name: 'identity.state.v1',
    partitions: 12,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'resource type:resource id',
    description: 'Compacted latest state per resource, for bootstrapping subscribers.',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
