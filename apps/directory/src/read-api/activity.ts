/**
 * "Did Okta's push arrive?" (issue 6 item 8): a tenant's recent provisioning requests, each with the
 * identity events it produced. Pure, so the grouping of the joined rows is unit-tested.
 */
export interface ActivityRow {
  event_id: string;
  event_type: string;
  status: number;
  processed_at: Date;
  out_event_type: string | null;
  out_resource_id: string | null;
  out_version: number | null;
}

export interface ActivityRequest {
  eventId: string;
  eventType: string;
  status: number;
  processedAt: string;
  events: { eventType: string; resourceId: string; version: number }[];
}

export interface Activity {
  requests: ActivityRequest[];
  /** Over the last `windowHours`, not only the listed requests. */
  totals: { windowHours: number; requests: number; errors: number };
  lastSuccessAt: string | null;
}

/** A status of 400 or more is a rejected request (the SCIM error the gateway returned). */
export const isError = (status: number): boolean => status >= 400;

/** Joined rows (one per produced event, or one with nulls) → requests in the rows' order. */
export function groupActivity(rows: readonly ActivityRow[]): ActivityRequest[] {
  const byId = new Map<string, ActivityRequest>();
  for (const row of rows) {
    let request = byId.get(row.event_id);
    if (!request) {
      request = { eventId: row.event_id, eventType: row.event_type, status: Number(row.status), processedAt: new Date(row.processed_at).toISOString(), events: [] };
      byId.set(row.event_id, request);
    }
    if (row.out_event_type !== null && row.out_resource_id !== null && row.out_version !== null) {
      request.events.push({ eventType: row.out_event_type, resourceId: row.out_resource_id, version: Number(row.out_version) });
    }
  }
  return [...byId.values()];
}
