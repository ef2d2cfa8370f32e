import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { Publisher, type OutgoingMessage } from './publisher';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
  timestamp: string;
}

/** What a handler wants produced before the chunk's offsets are committed (replies, dead letters). */
export interface BatchOutcome {
  produce: { topic: string; messages: OutgoingMessage[] }[];
}

export interface BatchServerOptions {
  groupId: string;
  /** Messages handed to the handler at once (one MySQL transaction's worth). */
  chunkSize?: number;
  /** Upper bound for the back-off between attempts while a dependency (MySQL) is down. */
  maxBackoffMs?: number;
  produceTimeoutMs?: number;
  /** Partitions handled at once; each keeps its order (one tenant is always one partition). */
  partitionsConcurrently?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A Nest custom transport on kafkajs for consumers that must not lose or double-apply work
 * (docs/adr/0002-reply-path.md). Why not Nest's built-in Kafka server: it consumes with eachMessage
 * only (no batching) and produces replies without awaiting them, so an offset can be committed
 * before its reply exists. Here, for each chunk:
 *   handler (one transaction, committed) → produce replies/dead letters (acks=-1, awaited)
 *   → commit offset+1 (kafkajs takes the NEXT offset to read).
 * A handler error is treated as transient (e.g. MySQL down): nothing is committed, the same chunk
 * is retried with back-off, heartbeats keep the partition, and no further work is taken.
 * Handlers decide what is permanent and return it as a dead letter instead of throwing.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(KafkaBatchServer.name);
  private readonly consumer: Consumer;
  private readonly publisher: Publisher;
  private readonly chunkSize: number;
  private readonly maxBackoffMs: number;
  private readonly produceTimeoutMs: number;
  private stopping = false;

  constructor(kafka: Kafka, private readonly options: BatchServerOptions) {
    super();
    this.chunkSize = options.chunkSize ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.produceTimeoutMs = options.produceTimeoutMs ?? 10_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Idle-poll bound only; data is returned as soon as it arrives (minBytes 1).
      maxWaitTimeInMs: 100,
      // Must hold the largest event (a 1,000-member group PATCH), else the consumer stalls.
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.publisher = new Publisher(kafka);
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.publisher.connect();
      await this.consumer.connect();
      const topics = [...this.messageHandlers.keys()];
      await this.consumer.subscribe({ topics, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
        eachBatch: (payload) => this.handleBatch(payload),
      });
      this.log.log(`consuming ${topics.join(', ')} as group ${this.options.groupId}`);
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for topic ${batch.topic}`);
    const alive = () => isRunning() && !isStale() && !this.stopping;

    for (let i = 0; i < batch.messages.length; i += this.chunkSize) {
      if (!alive()) return;
      const slice = batch.messages.slice(i, i + this.chunkSize);
      const last = slice.at(-1)?.offset;
      if (last === undefined) return;
      const chunk: ConsumedMessage[] = slice.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key ? m.key.toString('utf8') : null,
        value: m.value,
        headers: Object.fromEntries(
          Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v)]),
        ),
        timestamp: m.timestamp,
      }));

      const outcome = await this.retry('handler', alive, heartbeat, async () =>
        (await lastValueFrom(this.transformToObservable(await handler(chunk)))) as BatchOutcome,
      );
      if (!outcome) return;
      const produced = await this.retry('produce', alive, heartbeat, async () => {
        for (const { topic, messages } of outcome.produce) {
          if (messages.length) await this.publisher.publish(topic, messages, this.produceTimeoutMs);
        }
        return true;
      });
      if (!produced) return;

      resolveOffset(last);
      await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
    }
  }

  /** Retries `fn` with capped exponential back-off until it succeeds or this consumer loses the partition. */
  private async retry<T>(what: string, alive: () => boolean, heartbeat: () => Promise<void>, fn: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!alive()) return undefined;
        const delay = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(attempt, 10));
        this.log.warn(`${what} failed (attempt ${attempt}), retrying in ${delay} ms: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(delay);
        try {
          await heartbeat();
        } catch {
          return undefined; // rebalance in progress: the partition may be someone else's now
        }
        if (!alive()) return undefined;
      }
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    // disconnect() waits for the batch in flight, then leaves the group (no session-timeout wait).
    await this.consumer.disconnect();
    await this.publisher.disconnect();
  }

  on(): never {
    throw new Error('KafkaBatchServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
