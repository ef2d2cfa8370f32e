import { ConfigError, dbFields, httpFields, internalFields, kafkaFields, loadEnv, logFields, z } from '@taskize/config';

const url = z.url({ protocol: /^https?$/ }).transform((s) => s.replace(/\/+$/, ''));
const secret = z.string().min(32, 'must be at least 32 characters');

export const configSchema = z.object({
  ...httpFields(3001),
  ...dbFields,
  ...internalFields,
  ...logFields,
  DB_MIGRATION_USER: z.string().optional(),
  DB_MIGRATION_PASSWORD: z.string().optional(),
  // The authorization server (issue 5). Optional here because the migrate one-shot loads this schema
  // too and needs none of them; `oauthSettings` requires them where they are used (server, admin CLI).
  /** Public origin of this service as browsers and Okta reach it; the issuer is `${AUTH_PUBLIC_URL}/oauth`. */
  AUTH_PUBLIC_URL: url.optional(),
  /** The SCIM base URL: the resource indicator and `aud` of every access token the gateway accepts. */
  SCIM_AUDIENCE: url.optional(),
  /** A JWKS file of private signing keys (first signs, the rest stay published for rotation). */
  AUTH_SIGNING_KEYS_FILE: z.string().min(1).optional(),
  /** Comma-separated cookie signing keys, newest first (older ones still verify during rotation). */
  AUTH_COOKIE_KEYS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(secret).min(1))
    .optional(),
  /** Derives OAuth client secrets (HMAC); changing it changes every client's secret. */
  AUTH_CLIENT_SECRET_KEY: secret.optional(),
  /** The directory's internal read API: the admin console's provisioning activity (auth never reads its schema). */
  DIRECTORY_URL: url.default('http://127.0.0.1:3002'),
  // One person, one identity (issue 5 item 7): accounts go to the directory as provisioning events, and
  // the identity events come back. Optional for the one-shots (migrate, admin CLI); the server requires it.
  KAFKA_BROKERS: kafkaFields.KAFKA_BROKERS.optional(),
  KAFKA_CLIENT_ID: kafkaFields.KAFKA_CLIENT_ID,
  /** Consumer group of auth's identity-events subscriber (all auth instances share it). */
  KAFKA_GROUP_ID: z.string().min(1).default('auth'),
  /** How often new memberships are looked for and published to the directory. */
  DIRECTORY_LINK_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
});

export type AuthConfig = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<AuthConfig> {
  return loadEnv('auth', configSchema, env);
}

export interface OAuthSettings {
  publicUrl: string;
  issuer: string;
  audience: string;
  signingKeysFile: string;
  cookieKeys: readonly string[];
  clientSecretKey: string;
}

const OAUTH_KEYS = ['AUTH_PUBLIC_URL', 'SCIM_AUDIENCE', 'AUTH_SIGNING_KEYS_FILE', 'AUTH_COOKIE_KEYS', 'AUTH_CLIENT_SECRET_KEY'] as const;

/** The authorization server's settings; every missing one is listed at once, like `loadConfig`. */
export function oauthSettings(cfg: AuthConfig): Readonly<OAuthSettings> {
  const { AUTH_PUBLIC_URL: publicUrl, SCIM_AUDIENCE: audience, AUTH_SIGNING_KEYS_FILE: signingKeysFile, AUTH_COOKIE_KEYS: cookieKeys, AUTH_CLIENT_SECRET_KEY: clientSecretKey } = cfg;
  if (publicUrl === undefined || audience === undefined || signingKeysFile === undefined || cookieKeys === undefined || clientSecretKey === undefined) {
    throw new ConfigError('auth', OAUTH_KEYS.filter((k) => cfg[k] === undefined).map((k) => `${k}: required by the authorization server`));
  }
  return Object.freeze({ publicUrl, issuer: `${publicUrl}/oauth`, audience, signingKeysFile, cookieKeys, clientSecretKey });
}

/** The server's Kafka brokers; the one-shots run without them. */
export function kafkaBrokers(cfg: AuthConfig): readonly string[] {
  if (!cfg.KAFKA_BROKERS) throw new ConfigError('auth', ['KAFKA_BROKERS: required by the auth server (directory links and identity events)']);
  return cfg.KAFKA_BROKERS;
}
