import type { Kafka } from 'kafkajs';

export interface EnsureTopicSpec {
  name: string;
  partitions: number;
  cleanupPolicy: 'delete' | 'compact';
  retentionMs: number;
}

/**
 * Creates missing topics and grows partition counts; never shrinks or deletes (Kafka cannot shrink,
 * and deleting would lose data). Idempotent: run it at every deploy (`npm run topics`).
 */
export async function ensureTopics(kafka: Kafka, specs: readonly EnsureTopicSpec[], replicationFactor = 1): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor,
          configEntries: [
            { name: 'cleanup.policy', value: s.cleanupPolicy },
            { name: 'retention.ms', value: String(s.retentionMs) },
          ],
        })),
      });
    }
    const present = specs.filter((s) => existing.has(s.name));
    if (present.length) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
      const grow = present.filter((s) => (meta.topics.find((t) => t.name === s.name)?.partitions.length ?? 0) < s.partitions);
      if (grow.length) await admin.createPartitions({ topicPartitions: grow.map((s) => ({ topic: s.name, count: s.partitions })) });
    }
    return missing.map((s) => s.name);
  } finally {
    await admin.disconnect();
  }
}
