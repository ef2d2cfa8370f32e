import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { httpFields, internalFields, kafkaFields, loadEnv, logFields, z } from '@taskize/config';

const url = z.string().url().transform((u) => u.replace(/\/+$/, ''));
const ms = (def: number) => z.coerce.number().int().min(1).max(120_000).default(def);

/**
 * Microsoft Entra requires gallery apps to accept at least 25 requests/s per tenant ("Develop and plan provisioning
 * for a SCIM endpoint"); a job throttled below that is paused on every 429 and can end up quarantined. No plan's
 * per-instance rate may go under it (see src/rate-limit/ for why the rate is per gateway instance).
 */
export const ENTRA_MIN_REQUESTS_PER_SECOND = 25;
export const PLANS = ['free', 'team', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
const perSecond = (def: number) =>
  z.coerce
    .number()
    .min(ENTRA_MIN_REQUESTS_PER_SECOND, `must be at least ${ENTRA_MIN_REQUESTS_PER_SECOND}: Microsoft Entra requires 25 requests/s per tenant`)
    .max(100_000)
    .default(def);
const burst = (def: number) => z.coerce.number().int().min(1).max(1_000_000).default(def);

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
  /**
   * OAuth JWT access tokens (issue 5). `iss` must equal AUTH_ISSUER exactly (default: the auth service's /oauth
   * mount); no trailing-slash trimming, because the comparison is a string match (RFC 9068 §4).
   */
  AUTH_ISSUER: z.string().url().optional(),
  /** Where the signing keys are fetched; default `${AUTH_URL}/oauth/jwks`, the internal route to auth. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** The resource indicator tokens must carry in `aud` (RFC 8707); default PUBLIC_BASE_URL. */
  SCIM_AUDIENCE: z.string().url().optional(),
  /** After a JWKS fetch, an unknown `kid` waits this long before the next fetch (a flood of forged kids cannot hammer auth). */
  JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  /**
   * How long "this OAuth connection is active" is believed. At most 30 s, so a disconnect, demotion or plan downgrade
   * takes effect within 60 s even when a request lands just before the answer expires.
   */
  CONNECTION_CACHE_TTL_MS: z.coerce.number().int().min(1).max(30_000).default(30_000),
  /** Identifies this instance's replies; unique per process unless set. */
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .default(() => `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 60)}-${process.pid}-${randomBytes(3).toString('hex')}`),
  RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** SCIM requests one instance holds open at once before answering 503 + Retry-After (src/shared/load-shedding.ts). */
  MAX_IN_FLIGHT_REQUESTS: z.coerce.number().int().min(1).max(100_000).default(256),
  /**
   * Per-tenant token buckets, by the tenant's plan, PER GATEWAY INSTANCE (src/rate-limit/). Burst is the bucket's
   * capacity: what a tenant may send at once after a quiet moment (Okta and Entra send in parallel bursts). Default
   * bursts are two seconds' worth; a burst below one second's worth would refuse an evenly paced client at the
   * rate's edge after any jitter, so it is refused here.
   */
  RATE_LIMIT_FREE_PER_SECOND: perSecond(25),
  RATE_LIMIT_FREE_BURST: burst(50),
  RATE_LIMIT_TEAM_PER_SECOND: perSecond(50),
  RATE_LIMIT_TEAM_BURST: burst(100),
  RATE_LIMIT_BUSINESS_PER_SECOND: perSecond(100),
  RATE_LIMIT_BUSINESS_BURST: burst(200),
  RATE_LIMIT_ENTERPRISE_PER_SECOND: perSecond(150),
  RATE_LIMIT_ENTERPRISE_BURST: burst(300),
}).superRefine((cfg, ctx) => {
  for (const plan of PLANS) {
    const key = plan.toUpperCase() as Uppercase<Plan>;
    if (cfg[`RATE_LIMIT_${key}_BURST`] < cfg[`RATE_LIMIT_${key}_PER_SECOND`]) {
      ctx.addIssue({ code: 'custom', path: [`RATE_LIMIT_${key}_BURST`], message: `must be at least RATE_LIMIT_${key}_PER_SECOND (one second's worth)` });
    }
  }
});

type DerivedKeys = 'AUTH_ISSUER' | 'AUTH_JWKS_URL' | 'SCIM_AUDIENCE';
/** The schema's output with the defaults that depend on other keys filled in. */
export type GatewayConfig = Omit<z.infer<typeof configSchema>, DerivedKeys> & Record<DerivedKeys, string>;

/** Defaults derived from other keys live here: a zod transform on the object would hide `shape`, which the deploy specs read. */
export function withDerivedDefaults(parsed: z.infer<typeof configSchema>): GatewayConfig {
  return {
    ...parsed,
    AUTH_ISSUER: parsed.AUTH_ISSUER ?? `${parsed.AUTH_URL}/oauth`,
    AUTH_JWKS_URL: parsed.AUTH_JWKS_URL ?? `${parsed.AUTH_URL}/oauth/jwks`,
    SCIM_AUDIENCE: parsed.SCIM_AUDIENCE ?? parsed.PUBLIC_BASE_URL,
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<GatewayConfig> {
  return Object.freeze(withDerivedDefaults(loadEnv('scim-gateway', configSchema, env)));
}
