import { IdentityEventValidationError, parseIdentityEvent, type IdentityEvent } from '@taskize/identity-events';
import type { Consumer, Kafka } from 'kafkajs';

export interface IdentityConsumerOptions {
  groupId: string;
  topic: string;
  /** Only this tenant's events (the key), or every tenant's. */
  tenantId?: string;
  fromBeginning?: boolean;
  /**
   * Commit offsets of handled messages (at-least-once); false for throw-away readers such as `tail`.
   * kafkajs resolves a message's offset only once the handler returned, and commits resolved offsets every
   * second and when the consumer stops, so a crash replays at most the last second: never skips an event.
   */
  commit?: boolean;
  onInvalid?: (error: IdentityEventValidationError, offset: string, partition: number) => void;
  /** Only these CloudEvents types, told by the `ce_type` header before the record is parsed. */
  types?: readonly string[];
  /**
   * Only records whose value contains this text are parsed and handled. A byte search costs far less than
   * parsing and validating every event, for a subscriber that acts on the few events carrying one field:
   * auth reads only users linked to a Taskize account (`"taskizeAccountId"`), under 1 % of user events,
   * and parsing all of them was most of its CPU at 300 creates/s. Safe where the field's name is the
   * test: the relay writes events with JSON.stringify, which never escapes an ASCII letter.
   */
  mentions?: string;
  /**
   * How long the broker may hold a fetch to gather more events (default: answer as soon as one arrives).
   * A subscriber for whom a second is fast enough (auth's account status) sets ~500 ms: one fetch per
   * interval instead of one per event, which at 50 creates/s was most of its CPU and a share of the broker's.
   */
  batchWaitMs?: number;
}

/**
 * A typed subscriber to identity.events for Taskize services: parses and validates every CloudEvent
 * against its JSON Schema, hands events to the handler in partition (= per-tenant) order, and
 * commits the next offset only after the handler resolved. Handlers should be idempotent by event
 * id or by resourceversion (see `applyToView` in @taskize/identity-events).
 */
export class IdentityEventsConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: IdentityConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: options.batchWaitMs ?? 250,
      // With batchWaitMs the broker answers when the wait is over or this much has gathered.
      ...(options.batchWaitMs ? { minBytes: 64 * 1024 } : {}),
      // Small fetches: a subscriber catching up from the beginning would otherwise hold up to kafkajs'
      // defaults (10 MB per fetch, 1 MB per partition) in memory at once. A message larger than the
      // limit still comes through (brokers return at least one message per partition, KIP-74).
      maxBytes: 1024 * 1024,
      maxBytesPerPartition: 128 * 1024,
    });
  }

  async start(handler: (event: IdentityEvent, meta: { partition: number; offset: string }) => Promise<void> | void): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning ?? false });
    const commit = this.options.commit ?? true;
    const types = this.options.types && new Set(this.options.types);
    const mentions = this.options.mentions === undefined ? undefined : Buffer.from(this.options.mentions, 'utf8');
    await this.consumer.run({
      // Not one commit round trip per message: a subscriber catching up from the beginning reads thousands.
      autoCommit: commit,
      autoCommitInterval: 1_000,
      eachMessage: async ({ partition, message }) => {
        const key = message.key?.toString('utf8');
        const type = message.headers?.['ce_type']?.toString();
        if (types && type !== undefined && !types.has(type)) return;
        if (mentions && !message.value?.includes(mentions)) return;
        if (message.value && (!this.options.tenantId || key === this.options.tenantId)) {
          try {
            await handler(parseIdentityEvent(message.value), { partition, offset: message.offset });
          } catch (error) {
            if (!(error instanceof IdentityEventValidationError)) throw error; // retried by kafkajs
            this.options.onInvalid?.(error, message.offset, partition);
          }
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
