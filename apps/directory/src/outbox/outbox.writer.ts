import { Injectable } from '@nestjs/common';
import { type Queryable, write } from '@taskize/db';
import { buildIdentityEvent, type IdentityEventDataMap, type IdentityEventType } from '@taskize/identity-events';

/** One record for the compacted state topic; `value: null` is a tombstone. */
export interface StateRecord {
  key: string;
  value: Record<string, unknown> | null;
}

export interface OutboxEntry<T extends IdentityEventType> {
  type: T;
  tenantId: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  version: number;
  causationId: string;
  traceparent?: string;
  data: IdentityEventDataMap[T];
  state: StateRecord[];
}

/**
 * Appends a committed-to-be event to the outbox inside the caller's transaction: the event exists if
 * and only if the change does. Its id derives from (tenant, resource, version), so a re-publish after
 * a relay crash carries the same id and subscribers recognise it.
 */
@Injectable()
export class OutboxWriter {
  async append<T extends IdentityEventType>(q: Queryable, entry: OutboxEntry<T>, now: Date): Promise<void> {
    const event = buildIdentityEvent({
      type: entry.type,
      tenantId: entry.tenantId,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      version: entry.version,
      time: now,
      causationId: entry.causationId,
      ...(entry.traceparent ? { traceparent: entry.traceparent } : {}),
      data: entry.data,
    });
    await write(
      q,
      `INSERT INTO outbox (tenant_id, resource_type, resource_id, version, event_id, event_type, causation_id, event, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [entry.tenantId, entry.resourceType, entry.resourceId, entry.version, event.id, event.type, entry.causationId, JSON.stringify(event), JSON.stringify(entry.state), now],
    );
  }
}
