import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InternalTokenGuard } from '@taskize/http';
import { ScimErrors } from '@taskize/scim-core';
import { DataSource } from 'typeorm';
import { type Activity, type ActivityRow, groupActivity } from './activity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WINDOW_HOURS = 24;
const MAX_LIMIT = 200;
/**
 * The page answers "did Okta's push arrive?": only the identity provider's requests count. Auth's account
 * links (AccountLinked, issue 5 item 7) are processed on the same topic but are not requests from the IdP.
 */
const FROM_IDP = "event_type <> 'AccountLinked'";

/**
 * Provisioning activity for auth's admin console. Auth never reads this schema itself (data
 * ownership, docs/architecture.md); it asks here with the internal token, for the organisation of
 * the signed-in administrator. Every query is scoped by the tenant id in the path.
 */
@Controller('internal/tenants/:tenantId/activity')
@UseGuards(InternalTokenGuard)
export class ActivityController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  @Get()
  async activity(@Param('tenantId') tenantId: string, @Query('limit') rawLimit?: string): Promise<Activity> {
    if (!UUID.test(tenantId)) throw ScimErrors.notFound('unknown tenant');
    const n = rawLimit === undefined || rawLimit === '' ? 50 : Number(rawLimit);
    if (!Number.isInteger(n)) throw ScimErrors.invalidValue('limit must be an integer');
    const limit = Math.min(Math.max(n, 1), MAX_LIMIT);
    const tenant = tenantId.toLowerCase();
    // The latest requests first, then their events: a LIMIT on the join would cut a request's events.
    const rows = (await this.ds.query(
      `SELECT p.event_id, p.event_type, p.status, p.processed_at,
              o.event_type AS out_event_type, o.resource_id AS out_resource_id, o.version AS out_version
       FROM (SELECT event_id, event_type, status, processed_at FROM processed_events
             WHERE tenant_id = ? AND ${FROM_IDP} ORDER BY processed_at DESC, event_id LIMIT ?) p
       LEFT JOIN outbox o ON o.tenant_id = ? AND o.causation_id = p.event_id
       ORDER BY p.processed_at DESC, p.event_id, o.seq`,
      [tenant, limit, tenant],
    )) as ActivityRow[];
    const since = new Date(Date.now() - WINDOW_HOURS * 3600_000);
    const [totals] = (await this.ds.query(
      `SELECT COUNT(*) AS requests, COALESCE(SUM(status >= 400), 0) AS errors FROM processed_events WHERE tenant_id = ? AND processed_at > ? AND ${FROM_IDP}`,
      [tenant, since],
    )) as { requests: number | string; errors: number | string }[];
    // Newest first along ix_processed_events_tenant_time, stopping at the first success.
    const [last] = (await this.ds.query(
      `SELECT processed_at AS at FROM processed_events WHERE tenant_id = ? AND status < 400 AND ${FROM_IDP} ORDER BY processed_at DESC LIMIT 1`,
      [tenant],
    )) as { at: Date | null }[];
    return {
      requests: groupActivity(rows),
      totals: { windowHours: WINDOW_HOURS, requests: Number(totals?.requests ?? 0), errors: Number(totals?.errors ?? 0) },
      lastSuccessAt: last?.at ? new Date(last.at).toISOString() : null,
    };
  }
}
