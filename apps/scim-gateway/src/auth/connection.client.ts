import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';
import type { Tenant } from './auth.client';
import { RefreshingCache } from './refreshing-cache';

const MAX_ENTRIES = 10_000;
/** A revoked grant is asked about again soon: a refresh that re-created it should not wait out a long entry. */
const NEGATIVE_TTL_MS = 5_000;

/**
 * Whether the OAuth connection (grant) behind an access token is still active, from the auth service. JWT access
 * tokens are not stored by the auth server, so this is how a disconnect, Re-authenticate, demotion of the admin or a
 * plan downgrade reaches the gateway before the token expires. Answers are cached per grant id for
 * CONNECTION_CACHE_TTL_MS (≤ 30 s) and asked again ahead of that in the background while the grant is in use;
 * concurrent requests for one grant share one lookup (Okta sends bursts). See RefreshingCache.
 */
@Injectable()
export class ConnectionClient {
  private readonly log = new Logger(ConnectionClient.name);
  private readonly http: InternalHttp;
  private readonly cache: RefreshingCache<string, Tenant | null>;

  constructor(@Inject(CONFIG) private readonly cfg: GatewayConfig) {
    this.http = new InternalHttp(cfg.AUTH_URL, cfg.INTERNAL_API_TOKEN, cfg.INTERNAL_HTTP_TIMEOUT_MS, cfg.RETRY_AFTER_SECONDS, 'auth');
    this.cache = new RefreshingCache({
      ttlMs: (connection) => (connection ? cfg.CONNECTION_CACHE_TTL_MS : Math.min(NEGATIVE_TTL_MS, cfg.CONNECTION_CACHE_TTL_MS)),
      maxEntries: MAX_ENTRIES,
      onRefreshError: (error) => this.log.warn(`refreshing a connection's status failed: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  /** The connection's organisation when active; null when revoked, replaced, demoted or downgraded (auth's 404). */
  active(grantId: string, requestId?: string): Promise<Tenant | null> {
    return this.cache.get(grantId, () => this.ask(grantId, requestId));
  }

  private async ask(grantId: string, requestId?: string): Promise<Tenant | null> {
    const { status, body } = await this.http.request<unknown>('GET', `/internal/connections/${encodeURIComponent(grantId)}`, undefined, requestId);
    if (status === 200) return parseConnection(body, this.cfg.RETRY_AFTER_SECONDS);
    if (status === 404) return null;
    throw ScimErrors.serviceUnavailable('connection status is unavailable, retry later', this.cfg.RETRY_AFTER_SECONDS);
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
