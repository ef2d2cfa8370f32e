import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { metrics } from '@taskize/observability';
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
  /** Called once `produce` is acknowledged (the directory wakes its outbox relay then, not before). */
  produced?: () => void;
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
  /** How often resolved offsets are committed (also on shutdown): bounds the redelivery after a crash. */
  commitIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SESSION_TIMEOUT_MS = 30_000;
const HEARTBEAT_MS = 3_000;
const COMMIT_TIMEOUT_MS = 10_000;
const LOST_MEMBERSHIP = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

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
  private consumer: Consumer;
  private readonly publisher: Publisher;
  private restarting?: Promise<void>;
  /** False after a crash kafkajs does not recover from, until the consumer is running again. */
  consuming = false;
  private readonly chunkSize: number;
  private readonly maxBackoffMs: number;
  private readonly produceTimeoutMs: number;
  private stopping = false;
  private readonly commitIntervalMs: number;
  private readonly pendingOffsets = new Map<string, { topic: string; partition: number; offset: string }>();
  private lastCommitAt = 0;
  private flushing?: Promise<boolean>;
  private flushTimer?: NodeJS.Timeout;
  private readonly handlers = new Map<string, MessageHandler>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: BatchServerOptions,
  ) {
    super();
    this.chunkSize = options.chunkSize ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.produceTimeoutMs = options.produceTimeoutMs ?? 10_000;
    this.commitIntervalMs = options.commitIntervalMs ?? 1_000;
    this.consumer = this.createConsumer();
    this.publisher = new Publisher(kafka);
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_MS,
      // Idle-poll bound only; data is returned as soon as it arrives (minBytes 1).
      maxWaitTimeInMs: 100,
      // Must hold the largest event (a 1,000-member group PATCH), else the consumer stalls.
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    // kafkajs restarts itself after retriable crashes; after a non-retriable one (e.g. the group
    // forgot this member) it just stops. A directory that is alive but not consuming answers nothing,
    // so start a fresh consumer (found by the MariaDB-pause fault test).
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.consuming = false;
      if (!payload.restart && !this.stopping) this.restartConsumer(payload.error);
    });
    // Consuming again once (re)joined — also after kafkajs' own restart, which never passes through
    // startConsumer (found by the broker-restart fault test: readiness and offset commits stayed off).
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (!this.stopping) this.consuming = true;
    });
    return consumer;
  }

  private restartConsumer(cause: Error): void {
    if (this.restarting) return;
    this.log.warn(`consumer crashed (${cause.message}); starting a fresh one`);
    this.restarting = (async () => {
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.consumer.disconnect().catch(() => undefined);
          this.consumer = this.createConsumer();
          this.flushing = undefined; // never wait behind a commit of the consumer that crashed
          await this.startConsumer();
          this.log.log('consumer running again');
          return;
        } catch (error) {
          this.log.warn(`consumer restart failed (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`);
          await sleep(Math.min(this.maxBackoffMs, 500 * attempt));
        }
      }
    })().finally(() => (this.restarting = undefined));
  }

  private async startConsumer(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.messageHandlers.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.consuming = true;
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.publisher.connect();
      await this.startConsumer();
      this.log.log(`consuming ${[...this.messageHandlers.keys()].join(', ')} as group ${this.options.groupId}`);
      // An idle partition's last offsets are committed too, not only when the next chunk comes.
      this.flushTimer = setInterval(() => {
        if (this.consuming && Date.now() - this.lastCommitAt >= this.commitIntervalMs) {
          this.flushOffsets().catch((error: unknown) => this.log.warn(`periodic offset commit failed: ${error instanceof Error ? error.message : String(error)}`));
        }
      }, this.commitIntervalMs);
      this.flushTimer.unref();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await this.handleChunks(payload);
    } finally {
      // Shutting down: commit what this batch resolved while this member still owns the partition.
      if (this.stopping) await this.flushOffsets().catch(() => undefined);
    }
  }

  private async handleChunks(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const handler = this.handlerFor(batch.topic);
    const alive = () => isRunning() && !isStale() && !this.stopping;
    // Lag at fetch time: how far this partition's end is ahead of the batch's last message.
    metrics.consumerLag().set({ group: this.options.groupId, topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));

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

      // kafkajs has no background heartbeat: a query that hangs (MySQL frozen, not refusing) would
      // otherwise outlast the session and get this member evicted mid-chunk.
      const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_MS);
      let produced: boolean | undefined;
      let outcome: BatchOutcome | undefined;
      try {
        outcome = await this.retry('handler', alive, heartbeat, async () =>
          (await lastValueFrom(this.transformToObservable(await handler(chunk)))) as BatchOutcome,
        );
        if (!outcome) return;
        const toProduce = outcome.produce;
        produced = await this.retry('produce', alive, heartbeat, async () => {
          for (const { topic, messages } of toProduce) {
            if (messages.length) await this.publisher.publish(topic, messages, this.produceTimeoutMs);
          }
          return true;
        });
      } finally {
        clearInterval(beat);
      }
      if (!produced) return;
      outcome?.produced?.();

      resolveOffset(last);
      this.pendingOffsets.set(`${batch.topic}:${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() });
      // Offsets are committed at most every commitIntervalMs (and on shutdown), not after every chunk: a
      // commit is a broker round trip that sat on every chunk's critical path (3–10 ms here, once per event
      // at low rates). What is resolved is already committed in MySQL and replied to, so committing it later
      // can only cause a redelivery, which processed_events answers (docs/adr/0002-reply-path.md).
      if (Date.now() - this.lastCommitAt >= this.commitIntervalMs && !(await this.flushOffsets())) return;
    }
  }

  /**
   * The handler of a topic, looked up once: Nest's getHandlerByPattern normalises the pattern on every call,
   * which was 1.7 % of the directory's CPU at 50 events/s (one lookup per fetched batch).
   */
  private handlerFor(topic: string) {
    let handler = this.handlers.get(topic);
    if (!handler) {
      handler = this.getHandlerByPattern(topic) ?? undefined;
      if (!handler) throw new Error(`no handler for topic ${topic}`);
      this.handlers.set(topic, handler);
    }
    return handler;
  }

  /**
   * Commits every resolved offset not yet committed. False when the group moved on (this member was evicted,
   * or a rebalance began): the chunks are committed in MySQL and replied to; whoever gets the partitions
   * re-reads them and the dedupe rows answer.
   */
  private flushOffsets(): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      this.lastCommitAt = Date.now();
      const offsets = [...this.pendingOffsets.values()];
      if (!offsets.length) return true;
      this.pendingOffsets.clear();
      let timer: NodeJS.Timeout | undefined;
      try {
        // Bounded: a commit on a consumer that crashed with the broker can hang, and every later flush waits
        // behind this one (found by the broker-restart fault test: partitions stayed uncommitted).
        await Promise.race([
          this.consumer.commitOffsets(offsets),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`offset commit not answered within ${COMMIT_TIMEOUT_MS} ms`)), COMMIT_TIMEOUT_MS);
          }),
        ]);
        return true;
      } catch (error) {
        if (!LOST_MEMBERSHIP.has((error as { type?: string }).type ?? '')) {
          // Not committed: keep them for the next flush unless a newer offset was resolved meanwhile.
          for (const o of offsets) if (!this.pendingOffsets.has(`${o.topic}:${o.partition}`)) this.pendingOffsets.set(`${o.topic}:${o.partition}`, o);
          throw error;
        }
        this.log.warn(`offset commit after the group moved on (${(error as Error).message}); the next owner re-reads from the last commit`);
        return false;
      } finally {
        clearTimeout(timer);
      }
    };
    // One commit at a time: partitions are handled concurrently and the timer flushes too.
    const next = (this.flushing ?? Promise.resolve(true)).catch(() => true).then(run);
    this.flushing = next;
    return next;
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
    clearInterval(this.flushTimer);
    await this.restarting;
    // What was resolved so far; the batch in flight commits its own when it sees `stopping`.
    await this.flushOffsets().catch((error: unknown) => this.log.warn(`offset commit at shutdown failed: ${error instanceof Error ? error.message : String(error)}`));
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
