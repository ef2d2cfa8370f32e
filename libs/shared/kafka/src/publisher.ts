import { metrics } from '@taskize/observability';
import { type IHeaders, type Kafka, Partitioners, type Producer } from 'kafkajs';

export interface OutgoingMessage {
  key: string;
  /** null is a tombstone (compacted topics). */
  value: Buffer | null;
  headers?: IHeaders;
}

export class PublishTimeoutError extends Error {
  constructor(readonly topic: string, readonly timeoutMs: number) {
    super(`produce to ${topic} not acknowledged within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

type TopicMessages = { topic: string; messages: readonly OutgoingMessage[] };

interface Queued {
  batches: TopicMessages[];
  bytes: number;
  started: bigint;
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * What one produce request may carry when publishes are coalesced. The broker's message.max.bytes (2 MiB
 * here, deploy/local/kafka) bounds each partition's record batch: coalescing stays well under it, and a
 * larger publish (a big group event) goes alone, as before.
 */
const COALESCE_MAX_BYTES = 512 * 1024;
const COALESCE_MAX_MESSAGES = 500;

const sizeOf = (batches: readonly TopicMessages[]) =>
  batches.reduce((n, b) => n + b.messages.reduce((m, msg) => m + (msg.value?.length ?? 0) + msg.key.length + 64, 0), 0);
const countOf = (batches: readonly TopicMessages[]) => batches.reduce((n, b) => n + b.messages.length, 0);

/**
 * A producer that only resolves once the broker has acknowledged (acks=-1), and never waits longer
 * than the caller's deadline: kafkajs' own retries can otherwise outlive the HTTP request they serve.
 *
 * Publishes are coalesced: one produce request is in flight at a time, and whatever callers publish
 * meanwhile goes out together in the next one (no linger: alone, a publish is sent at once). Why: kafkajs
 * sends one request per send() call and the broker handles one request per connection at a time, so at
 * 300 creates/s the gateway's produces queued behind each other (produce p50 113 ms, docs/benchmarks.md
 * run 7). Order is kept: requests go out one after another, each with its messages in publish order.
 * A publish still queued at its deadline is dropped unsent; one already sent fails with the timeout and may
 * still be appended (the callers' at-least-once handling covers that, as before).
 */
export class Publisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;
  private readonly queue: Queued[] = [];
  /** The request in flight; released when it ends or when every publish in it has timed out. */
  private inFlight?: Queued[];

  constructor(kafka: Kafka) {
    // The default (murmur2, Java-compatible) partitioner, chosen explicitly to silence kafkajs' v2 notice.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  publish(topic: string, messages: readonly OutgoingMessage[], timeoutMs: number): Promise<void> {
    return this.publishAll([{ topic, messages }], timeoutMs);
  }

  /** Several topics at once (the outbox relay's two streams): one produce request, each topic in its own order. */
  publishAll(batches: readonly TopicMessages[], timeoutMs: number): Promise<void> {
    const nonEmpty = batches.filter((b) => b.messages.length);
    if (!nonEmpty.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const item: Queued = { batches: nonEmpty, bytes: sizeOf(nonEmpty), started: process.hrtime.bigint(), settled: false, resolve, reject };
      item.timer = setTimeout(() => {
        const i = this.queue.indexOf(item);
        if (i >= 0) this.queue.splice(i, 1); // never sent
        this.settle(item, new PublishTimeoutError(nonEmpty.map((b) => b.topic).join(','), timeoutMs));
      }, timeoutMs);
      this.queue.push(item);
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight) return;
    const head = this.queue.shift();
    if (!head) return;
    const batch: Queued[] = [head];
    let bytes = head.bytes;
    let count = countOf(head.batches);
    for (let next = this.queue[0]; next; next = this.queue[0]) {
      const n = countOf(next.batches);
      if (bytes + next.bytes > COALESCE_MAX_BYTES || count + n > COALESCE_MAX_MESSAGES) break;
      batch.push(next);
      this.queue.shift();
      bytes += next.bytes;
      count += n;
    }
    this.inFlight = batch;
    void this.send(batch).finally(() => this.release(batch));
  }

  /**
   * The next request may go. Also called once every publish of a request has timed out: a hung broker
   * (up to kafkajs' requestTimeout × retries) must not hold back what is published after it recovers.
   */
  private release(batch: Queued[]): void {
    if (this.inFlight !== batch) return;
    this.inFlight = undefined;
    this.pump();
  }

  private async send(items: Queued[]): Promise<void> {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const item of items) {
      for (const { topic, messages } of item.batches) {
        const list = byTopic.get(topic) ?? [];
        list.push(...messages);
        byTopic.set(topic, list);
      }
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }));
    try {
      await this.connect();
      const [only] = topicMessages;
      if (only && topicMessages.length === 1) await this.producer.send({ ...only, acks: -1 });
      else await this.producer.sendBatch({ topicMessages, acks: -1 });
      for (const item of items) this.settle(item);
    } catch (error) {
      for (const item of items) this.settle(item, error);
    }
  }

  private settle(item: Queued, error?: unknown): void {
    if (item.settled) return;
    item.settled = true;
    clearTimeout(item.timer);
    const inFlight = this.inFlight;
    if (error instanceof PublishTimeoutError && inFlight?.includes(item) && inFlight.every((i) => i.settled)) queueMicrotask(() => this.release(inFlight));
    if (error === undefined) {
      const seconds = Number(process.hrtime.bigint() - item.started) / 1e9;
      for (const { topic } of item.batches) metrics.kafkaProduceDuration().observe({ topic }, seconds);
      item.resolve();
    } else {
      for (const { topic } of item.batches) metrics.kafkaProduceErrors().inc({ topic, reason: error instanceof PublishTimeoutError ? 'timeout' : 'error' });
      item.reject(error);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = undefined;
  }
}
