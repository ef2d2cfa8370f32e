import { Inject, Injectable } from '@nestjs/common';
import type { ProvisioningOutcome } from '@taskize/provisioning-contracts';
import type { StoredUser } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';

export interface UserPage {
  totalResults: number;
  startIndex: number;
  resources: StoredUser[];
}

/** The directory's internal read API; every path is scoped by the caller's tenant. */
@Injectable()
export class DirectoryClient {
  private readonly http: InternalHttp;

  constructor(@Inject(CONFIG) cfg: GatewayConfig) {
    this.http = new InternalHttp(cfg.DIRECTORY_URL, cfg.INTERNAL_API_TOKEN, cfg.INTERNAL_HTTP_TIMEOUT_MS, cfg.RETRY_AFTER_SECONDS, 'directory');
  }

  getUser(tenantId: string, id: string, requestId?: string): Promise<StoredUser> {
    return this.http.getOk(`/internal/tenants/${tenantId}/users/${encodeURIComponent(id)}`, requestId);
  }

  listUsers(tenantId: string, query: { filter?: string; startIndex?: string; count?: string }, requestId?: string): Promise<UserPage> {
    const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return this.http.getOk(`/internal/tenants/${tenantId}/users${qs ? `?${qs}` : ''}`, requestId);
  }

  /** The committed outcome of an event, if the directory has applied it (the late-reply fallback). */
  async findOutcome(tenantId: string, eventId: string, requestId?: string): Promise<ProvisioningOutcome | undefined> {
    const { status, body } = await this.http.request<ProvisioningOutcome>('GET', `/internal/tenants/${tenantId}/outcomes/${eventId}`, undefined, requestId);
    return status === 200 ? body : undefined;
  }
}
