import type { Activity } from './activity-view';

/**
 * Auth's one call into the directory: the provisioning activity of an organisation. Auth never reads
 * the directory's schema (data ownership); the directory answers on its internal read API.
 */
export class DirectoryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly internalToken: string,
    private readonly timeoutMs = 5000,
  ) {}

  async activity(organisationId: string, limit = 50): Promise<Activity> {
    const url = `${this.baseUrl}/internal/tenants/${encodeURIComponent(organisationId)}/activity?limit=${limit}`;
    const res = await fetch(url, { headers: { 'x-internal-token': this.internalToken, accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok) throw new Error(`directory activity: HTTP ${res.status}`);
    return (await res.json()) as Activity;
  }
}
