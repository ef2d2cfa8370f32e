import { type Queryable, write } from '@taskize/db';

export type CountedResource = 'User' | 'Group';

/**
 * Per-tenant resource counts, kept in the same transaction as the change: an unfiltered list's
 * totalResults and the tooMany rule read one row instead of counting the tenant. One tenant's
 * events are applied in order on one partition, so the row is never contended across instances.
 */
export async function adjustCounter(q: Queryable, tenantId: string, type: CountedResource, delta: 1 | -1): Promise<void> {
  await write(
    q,
    `INSERT INTO tenant_counters (tenant_id, resource_type, total) VALUES (?, ?, ?)
     ON DUPLICATE KEY UPDATE total = GREATEST(CAST(total AS SIGNED) + ?, 0)`,
    [tenantId, type, delta > 0 ? 1 : 0, delta],
  );
}

export async function tenantTotal(q: Queryable, tenantId: string, type: CountedResource): Promise<number> {
  const rows = (await q.query('SELECT total FROM tenant_counters WHERE tenant_id = ? AND resource_type = ?', [tenantId, type])) as { total: number }[];
  return Number(rows[0]?.total ?? 0);
}
