import { Inject, Injectable } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';

export interface Tenant {
  organisationId: string;
  slug: string;
  plan: string;
}

interface CacheEntry {
  tenant: Tenant | null;
  expires: number;
}

const MAX_ENTRIES = 10_000;
const NEGATIVE_TTL_MS = 5_000;

/**
 * Resolves a bearer token to its organisation through the auth service, cached per token for
 * TOKEN_CACHE_TTL_MS (a revoked token stops working within that time). The cache key is the raw
 * token held only in memory; unknown tokens are cached briefly so a bad client cannot hammer auth.
 */
@Injectable()
export class AuthClient {
  private readonly http: InternalHttp;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(@Inject(CONFIG) private readonly cfg: GatewayConfig) {
    this.http = new InternalHttp(cfg.AUTH_URL, cfg.INTERNAL_API_TOKEN, cfg.INTERNAL_HTTP_TIMEOUT_MS, cfg.RETRY_AFTER_SECONDS, 'auth');
  }

  async resolve(token: string, requestId?: string): Promise<Tenant | null> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.expires > now) return hit.tenant;
    const { status, body } = await this.http.request<Tenant & { organisationId: string }>('POST', '/internal/tokens/resolve', { token }, requestId);
    let tenant: Tenant | null;
    if (status === 200) tenant = { organisationId: body.organisationId, slug: body.slug, plan: body.plan };
    else if (status === 404) tenant = null;
    else throw ScimErrors.serviceUnavailable('token validation is unavailable, retry later', this.cfg.RETRY_AFTER_SECONDS);
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(token, { tenant, expires: now + (tenant ? this.cfg.TOKEN_CACHE_TTL_MS : NEGATIVE_TTL_MS) });
    return tenant;
  }
}
