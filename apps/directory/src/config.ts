import { dbFields, httpFields, internalFields, kafkaFields, loadEnv, logFields, z } from '@taskize/config';

export const configSchema = z.object({
  ...httpFields(3002),
  ...kafkaFields,
  ...dbFields,
  ...internalFields,
  ...logFields,
  DB_MIGRATION_USER: z.string().optional(),
  DB_MIGRATION_PASSWORD: z.string().optional(),
  KAFKA_GROUP_ID: z.string().default('directory'),
  /** Provisioning events per MySQL transaction batch handed to the handler. */
  APPLY_CHUNK_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Partitions (≈ tenants) applied in parallel by one instance; each uses one pooled connection. */
  APPLY_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(12).default(3),
  /**
   * Days a processed_events (dedupe) row is kept. At least 8: an event can be delivered again for as long as the
   * provisioning topic keeps it (7 days), and a redelivery without its row would be applied twice.
   */
  PROCESSED_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(30),
});

export type DirectoryConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<DirectoryConfig> {
  return loadEnv('directory', configSchema, env);
}
