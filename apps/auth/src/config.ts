import { dbFields, httpFields, internalFields, loadEnv, logFields, z } from '@taskize/config';

export const configSchema = z.object({
  ...httpFields(3001),
  ...dbFields,
  ...internalFields,
  ...logFields,
  DB_MIGRATION_USER: z.string().optional(),
  DB_MIGRATION_PASSWORD: z.string().optional(),
});

export type AuthConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<AuthConfig> {
  return loadEnv('auth', configSchema, env);
}
