/** The directory's answer to GET /internal/tenants/:id/activity (apps/directory/src/read-api/activity.ts). */
export interface Activity {
  requests: {
    eventId: string;
    eventType: string;
    status: number;
    processedAt: string;
    events: { eventType: string; resourceId: string; version: number }[];
  }[];
  totals: { windowHours: number; requests: number; errors: number };
  lastSuccessAt: string | null;
}

const REASONS: Record<number, string> = {
  200: 'Applied',
  201: 'Created',
  204: 'Applied',
  400: 'Rejected: invalid request',
  404: 'Rejected: not found',
  409: 'Rejected: already exists',
  412: 'Rejected: version mismatch',
};

/** What an admin reads in the outcome column: the SCIM status the gateway answered, in words. */
export function outcomeLabel(status: number): { text: string; ok: boolean } {
  const ok = status < 400;
  return { text: `${REASONS[status] ?? (ok ? 'Applied' : 'Failed')} (${status})`, ok };
}

/** `2026-11-29T10:00:00.000Z` → `2026-11-29 10:00:00 UTC`: one unambiguous zone, no script to localise it. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
