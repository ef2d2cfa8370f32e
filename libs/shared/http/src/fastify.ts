import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimErrors } from '@taskize/scim-core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface FastifyOptions {
  bodyLimitBytes: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function createFastifyAdapter(opts: FastifyOptions): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: opts.bodyLimitBytes,
    // Keep a caller's request id when it is sane, so one id follows a request across services.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    logger: false,
  });
}

/**
 * JSON bodies under both media types Okta and Entra send: `application/scim+json` (RFC 7644 §3.1,
 * Okta adds `; charset=utf-8`) and plain `application/json` (Okta's POSTs). Errors Fastify raises
 * before a route runs (body too large, unsupported media type) reach the global ScimExceptionFilter
 * through Nest's router error handler as HttpExceptions with their status.
 */
export function configureScimFastify(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Nest's own parser is off (`bodyParser: false` at create); Fastify's defaults are replaced so a
  // text/plain body is a 415 rather than a string reaching a SCIM route.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(['application/json', 'application/scim+json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(ScimErrors.invalidSyntax('request body is not valid JSON'), undefined);
    }
  });
}
