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
});

export type DirectoryConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<DirectoryConfig> {
  return loadEnv('directory', configSchema, env);
}
