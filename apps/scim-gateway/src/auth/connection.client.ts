import { Inject, Injectable } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';
import type { Tenant } from './auth.client';

interface CacheEntry {
  connection: Tenant | null;
  expires: number;
}

const MAX_ENTRIES = 10_000;
/** A revoked grant is asked about again soon: a refresh that re-created it should not wait out a long entry. */
const NEGATIVE_TTL_MS = 5_000;

/**
 * Whether the OAuth connection (grant) behind an access token is still active, from the auth service. JWT access
 * tokens are not stored by the auth server, so this is how a disconnect, Re-authenticate, demotion of the admin or a
 * plan downgrade reaches the gateway before the token expires. Answers are cached per grant id for
 * CONNECTION_CACHE_TTL_MS (≤ 30 s); concurrent requests for one grant share one lookup (Okta sends bursts).
 */
@Injectable()
export class ConnectionClient {
  private readonly http: InternalHttp;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<Tenant | null>>();

  constructor(@Inject(CONFIG) private readonly cfg: GatewayConfig) {
    this.http = new InternalHttp(cfg.AUTH_URL, cfg.INTERNAL_API_TOKEN, cfg.INTERNAL_HTTP_TIMEOUT_MS, cfg.RETRY_AFTER_SECONDS, 'auth');
  }

  /** The connection's organisation when active; null when revoked, replaced, demoted or downgraded (auth's 404). */
  async active(grantId: string, requestId?: string): Promise<Tenant | null> {
    const hit = this.cache.get(grantId);
    if (hit && hit.expires > Date.now()) return hit.connection;
    const inFlight = this.pending.get(grantId);
    if (inFlight) return inFlight;
    const lookup = this.fetch(grantId, requestId).finally(() => this.pending.delete(grantId));
    this.pending.set(grantId, lookup);
    return lookup;
  }

  private async fetch(grantId: string, requestId?: string): Promise<Tenant | null> {
    const { status, body } = await this.http.request<unknown>('GET', `/internal/connections/${encodeURIComponent(grantId)}`, undefined, requestId);
    let connection: Tenant | null;
    if (status === 200) connection = parseConnection(body, this.cfg.RETRY_AFTER_SECONDS);
    else if (status === 404) connection = null;
    else throw ScimErrors.serviceUnavailable('connection status is unavailable, retry later', this.cfg.RETRY_AFTER_SECONDS);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    const ttl = connection ? this.cfg.CONNECTION_CACHE_TTL_MS : Math.min(NEGATIVE_TTL_MS, this.cfg.CONNECTION_CACHE_TTL_MS);
    this.cache.set(grantId, { connection, expires: Date.now() + ttl });
    return connection;
  }
}

/** The contract is `{ organisationId, slug, plan, active: true }`; anything but `active: true` counts as inactive. */
function parseConnection(body: unknown, retryAfterSeconds: number): Tenant | null {
  if (typeof body !== 'object' || body === null) throw ScimErrors.serviceUnavailable('the auth service answered unexpectedly', retryAfterSeconds);
  const { organisationId, slug, plan, active } = body as Record<string, unknown>;
  if (active !== true) return null;
  if (typeof organisationId !== 'string' || typeof slug !== 'string' || typeof plan !== 'string') {
    throw ScimErrors.serviceUnavailable('the auth service answered unexpectedly', retryAfterSeconds);
  }
  return { organisationId, slug, plan };
}
