import type { Admin, Kafka } from 'kafkajs';

/**
 * Readiness probe for Kafka: one cluster description over a long-lived admin connection, closed when
 * the application shuts down (Nest calls `onApplicationShutdown` on providers).
 */
export class KafkaReadiness {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(private readonly kafka: Kafka) {}

  async check(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
