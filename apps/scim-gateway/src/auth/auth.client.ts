import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';
import { RefreshingCache } from './refreshing-cache';

export interface Tenant {
  organisationId: string;
  slug: string;
  plan: string;
}

const MAX_ENTRIES = 10_000;
const NEGATIVE_TTL_MS = 5_000;

/**
 * Resolves a bearer token to its organisation through the auth service, cached per token for
 * TOKEN_CACHE_TTL_MS (a revoked token stops working within that time) and asked again ahead of that in
 * the background while the token is in use (RefreshingCache). The cache key is the raw token held only
 * in memory; unknown tokens are cached briefly so a bad client cannot hammer auth.
 */
@Injectable()
export class AuthClient {
  private readonly log = new Logger(AuthClient.name);
  private readonly http: InternalHttp;
  private readonly cache: RefreshingCache<string, Tenant | null>;

  constructor(@Inject(CONFIG) private readonly cfg: GatewayConfig) {
    this.http = new InternalHttp(cfg.AUTH_URL, cfg.INTERNAL_API_TOKEN, cfg.INTERNAL_HTTP_TIMEOUT_MS, cfg.RETRY_AFTER_SECONDS, 'auth');
    this.cache = new RefreshingCache({
      ttlMs: (tenant) => (tenant ? cfg.TOKEN_CACHE_TTL_MS : NEGATIVE_TTL_MS),
      maxEntries: MAX_ENTRIES,
      onRefreshError: (error) => this.log.warn(`refreshing a token's organisation failed: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  resolve(token: string, requestId?: string): Promise<Tenant | null> {
    return this.cache.get(token, () => this.ask(token, requestId));
  }

  private async ask(token: string, requestId?: string): Promise<Tenant | null> {
    const { status, body } = await this.http.request<Tenant & { organisationId: string }>('POST', '/internal/tokens/resolve', { token }, requestId);
    if (status === 200) return { organisationId: body.organisationId, slug: body.slug, plan: body.plan };
    if (status === 404) return null;
    throw ScimErrors.serviceUnavailable('token validation is unavailable, retry later', this.cfg.RETRY_AFTER_SECONDS);
  }
}
