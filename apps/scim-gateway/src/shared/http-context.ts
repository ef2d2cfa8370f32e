import type { FastifyRequest } from 'fastify';

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a write carries from the HTTP request onto the provisioning event. */
export function requestContext(req: FastifyRequest): { requestId: string; traceparent?: string } {
  const t = req.headers['traceparent'];
  return { requestId: String(req.id), ...(typeof t === 'string' && TRACEPARENT.test(t) ? { traceparent: t } : {}) };
}

export function ifMatchOf(req: FastifyRequest): string | undefined {
  const h = req.headers['if-match'];
  return typeof h === 'string' && h.trim() ? h.trim() : undefined;
}

/** RFC 7232 §3.2: If-None-Match on a GET whose tag matches answers 304 (weak comparison). */
export function notModified(req: FastifyRequest, etag: string): boolean {
  const h = req.headers['if-none-match'];
  if (typeof h !== 'string') return false;
  const bare = etag.replace(/^W\//, '');
  return h.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

/** Resource ids are UUIDs; anything else cannot exist (Okta probes with non-UUID ids and expects 404). */
export function isResourceId(id: string): boolean {
  return UUID.test(id);
}
