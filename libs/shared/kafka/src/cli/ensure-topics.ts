import { kafkaFields, loadEnv, z } from '@taskize/config';
import { ALL_TOPICS } from '@taskize/topics';
import { createKafka } from '../client';
import { ensureTopics } from '../topics-admin';

/** One-shot topic provisioning: `npm run topics` (and the Kubernetes Job). */
async function main() {
  const cfg = loadEnv('topics', z.object({ ...kafkaFields, KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1) }), process.env);
  const created = await ensureTopics(createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'topics-provisioner' }), ALL_TOPICS, cfg.KAFKA_REPLICATION_FACTOR);
  process.stderr.write(`topics: ${created.length ? `created ${created.join(', ')}` : 'all present'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`topics: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
