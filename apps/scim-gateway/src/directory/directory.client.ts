import { Inject, Injectable } from '@nestjs/common';
import type { ProvisioningOutcome } from '@taskize/provisioning-contracts';
import type { StoredGroup, StoredUser } from '@taskize/scim-core';
import type { GatewayConfig } from '../config';
import { InternalHttp } from '../shared/internal-http';
import { CONFIG } from '../shared/tokens';

export interface Page<T> {
  totalResults: number;
  startIndex: number;
  resources: T[];
}

export interface ListQuery {
  filter?: string;
  startIndex?: string;
  count?: string;
  sortBy?: string;
  sortOrder?: string;
}

const qs = (query: Record<string, string | undefined>) => {
  const s = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return s ? `?${s}` : '';
};

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

  listUsers(tenantId: string, query: ListQuery, requestId?: string): Promise<Page<StoredUser>> {
    return this.http.getOk(`/internal/tenants/${tenantId}/users${qs({ ...query })}`, requestId);
  }

  getGroup(tenantId: string, id: string, members: boolean, requestId?: string): Promise<StoredGroup> {
    return this.http.getOk(`/internal/tenants/${tenantId}/groups/${encodeURIComponent(id)}${qs({ members: String(members) })}`, requestId);
  }

  listGroups(tenantId: string, query: ListQuery & { members: boolean }, requestId?: string): Promise<Page<StoredGroup>> {
    return this.http.getOk(`/internal/tenants/${tenantId}/groups${qs({ ...query, members: String(query.members) })}`, requestId);
  }

  /** The committed outcome of an event, if the directory has applied it (the late-reply fallback). */
  async findOutcome(tenantId: string, eventId: string, requestId?: string): Promise<ProvisioningOutcome | undefined> {
    const { status, body } = await this.http.request<ProvisioningOutcome>('GET', `/internal/tenants/${tenantId}/outcomes/${eventId}`, undefined, requestId);
    return status === 200 ? body : undefined;
  }
}
