import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { httpFields, internalFields, kafkaFields, loadEnv, logFields, z } from '@taskize/config';

const url = z.string().url().transform((u) => u.replace(/\/+$/, ''));
const ms = (def: number) => z.coerce.number().int().min(1).max(120_000).default(def);

export const configSchema = z.object({
  ...httpFields(3000),
  ...kafkaFields,
  ...internalFields,
  ...logFields,
  /** Base URL clients see, used in `Location` and `meta.location` (RFC 7644 §3.1). */
  PUBLIC_BASE_URL: url.default('http://127.0.0.1:3000/scim/v2'),
  DIRECTORY_URL: url.default('http://127.0.0.1:3002'),
  AUTH_URL: url.default('http://127.0.0.1:3001'),
  /** How long a write waits for the directory's committed outcome before the stored-outcome lookup and 503. */
  REPLY_TIMEOUT_MS: ms(10_000),
  PRODUCE_TIMEOUT_MS: ms(5_000),
  INTERNAL_HTTP_TIMEOUT_MS: ms(5_000),
  /** Okta batches up to ~1,000 member changes in one PATCH; 1 MiB holds that with room to spare. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  TOKEN_CACHE_TTL_MS: ms(30_000),
  /** Identifies this instance's replies; unique per process unless set. */
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .default(() => `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60)}-${process.pid}-${randomBytes(3).toString('hex')}`),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
});

export type GatewayConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<GatewayConfig> {
  return loadEnv('scim-gateway', configSchema, env);
}
