import { SCIM_CONTENT_TYPE } from '@taskize/http';
import type { FastifyReply } from 'fastify';

/** Every SCIM answer: RFC 7644 §3.1 media type, and never cached by intermediaries. */
export function scimReply(reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): void {
  void reply.status(status).header('content-type', SCIM_CONTENT_TYPE).header('cache-control', 'no-store').headers(headers).send(body);
}
