import { currentTraceparent } from '@taskize/observability';
import type { FastifyRequest } from 'fastify';

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a write carries from the HTTP request onto the provisioning event: the request id and the W3C
 * `traceparent` of the request's span (which continues the caller's trace when it sent one), so the
 * directory's apply and the identity event join the same trace (issue 6, item 3).
 */
export function requestContext(req: FastifyRequest): { requestId: string; traceparent?: string } {
  const own = currentTraceparent();
  const given = req.headers['traceparent'];
  const traceparent = own ?? (typeof given === 'string' && TRACEPARENT.test(given) ? given : undefined);
  return { requestId: String(req.id), ...(traceparent ? { traceparent } : {}) };
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
