import type { Consumer, Kafka } from 'kafkajs';
import { HEADER_CORRELATION_ID, decodeOutcome, type ProvisioningOutcome } from '@taskize/provisioning-contracts';
import { headerString } from './headers';

interface Pending {
  resolve: (outcome: ProvisioningOutcome | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * The gateway's reply path (docs/adr/0002-reply-path.md). Each gateway instance reads the whole
 * replies topic in a consumer group of its own and keeps only the replies whose correlation id it
 * is waiting for. Why not @nestjs/microservices' request-reply: it produces the reply without
 * awaiting it, binds reply partitions to group assignment (broken across rebalances) and has no
 * timeout. Offsets are never committed: the group is ephemeral and a restarted instance has no
 * requests waiting for old replies.
 */
export class ReplyListener {
  private readonly consumer: Consumer;
  private readonly pending = new Map<string, Pending>();
  private readyPromise?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    readonly instanceId: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `scim-gateway-replies-${instanceId}`,
      allowAutoTopicCreation: false,
      // The broker answers a fetch as soon as one byte is there; this only bounds idle polls,
      // and keeps shutdown quick (kafkajs' default is 5 s).
      maxWaitTimeInMs: 250,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
  }

  /**
   * Resolves once the consumer has joined and fetched at least once, so its "latest" offsets are
   * fixed: a reply to any request sent after this cannot be skipped.
   */
  start(): Promise<void> {
    this.readyPromise ??= (async () => {
      let markReady!: () => void;
      const fetched = new Promise<void>((resolve) => (markReady = resolve));
      const removeListener = this.consumer.on(this.consumer.events.FETCH, () => markReady());
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
      await this.consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const correlationId = headerString(message.headers, HEADER_CORRELATION_ID);
          if (!correlationId) return;
          const waiting = this.pending.get(correlationId);
          if (!waiting) return;
          this.pending.delete(correlationId);
          clearTimeout(waiting.timer);
          waiting.resolve(decodeOutcome(message.value));
        },
      });
      await fetched;
      removeListener();
    })();
    return this.readyPromise;
  }

  /**
   * Register interest in a reply BEFORE producing the event (the reply can arrive before `send`
   * returns). Resolves with the outcome, or `undefined` after `timeoutMs`.
   */
  expect(correlationId: string, timeoutMs: number): Promise<ProvisioningOutcome | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, timer });
    });
  }

  cancel(correlationId: string): void {
    const waiting = this.pending.get(correlationId);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(correlationId);
    waiting.resolve(undefined);
  }

  get waiting(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.cancel(id);
    await this.consumer.disconnect();
  }
}
