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

/**
 * A producer that only resolves once the broker has acknowledged (acks=-1), and never waits longer
 * than the caller's deadline: kafkajs' own retries can otherwise outlive the HTTP request they serve.
 */
export class Publisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

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

  async publish(topic: string, messages: readonly OutgoingMessage[], timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishTimeoutError(topic, timeoutMs)), timeoutMs);
    });
    const started = process.hrtime.bigint();
    try {
      await Promise.race([
        (async () => {
          await this.connect();
          await this.producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
        })(),
        deadline,
      ]);
      metrics.kafkaProduceDuration().observe({ topic }, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      metrics.kafkaProduceErrors().inc({ topic, reason: error instanceof PublishTimeoutError ? 'timeout' : 'error' });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = undefined;
  }
}
