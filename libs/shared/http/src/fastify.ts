import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ScimErrors } from '@taskize/scim-core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { installHttpObservability } from './observability';

export interface FastifyOptions {
  bodyLimitBytes: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Bodies up to this many times the limit are read and discarded so the 413 reaches the client. */
const DRAIN_FACTOR = 8;

export function createFastifyAdapter(opts: FastifyOptions): FastifyAdapter {
  const adapter = new FastifyAdapter({
    // Fastify's own check answers 413 without reading the body and closes the socket with request
    // bytes unread: the kernel then resets the connection and the client can lose the answer. Our
    // parser (configureScimFastify) enforces the real limit and drains up to DRAIN_FACTOR × limit.
    bodyLimit: opts.bodyLimitBytes * DRAIN_FACTOR,
    // Keep a caller's request id when it is sane, so one id follows a request across services.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    logger: false,
  });
  installHttpObservability(adapter.getInstance());
  return adapter;
}

/**
 * JSON bodies under both media types Okta and Entra send: `application/scim+json` (RFC 7644 §3.1,
 * Okta adds `; charset=utf-8`) and plain `application/json` (Okta's POSTs). Errors Fastify raises
 * before a route runs (body too large, unsupported media type) reach the global ScimExceptionFilter
 * through Nest's router error handler as HttpExceptions with their status.
 */
export function configureScimFastify(app: NestFastifyApplication, limit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Nest's own parser is off (`bodyParser: false` at create); Fastify's defaults are replaced so a
  // text/plain body is a 415 rather than a string reaching a SCIM route.
  fastify.removeAllContentTypeParsers();
  const tooLarge = () => ScimErrors.payloadTooLarge(`request body is larger than ${limit} bytes`);
  const hardCap = limit * DRAIN_FACTOR;
  fastify.addContentTypeParser(['application/json', 'application/scim+json'], (req, payload, done) => {
    // Beyond the drain cap, answer at once and let the connection drop: reading it all would be the bigger harm.
    if (Number(req.headers['content-length']) > hardCap) return done(tooLarge(), undefined);
    const chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else if (received > hardCap && !failed) {
        failed = true;
        done(tooLarge(), undefined);
      }
    });
    payload.on('error', (error) => done(error, undefined));
    payload.on('end', () => {
      if (failed) return;
      if (received > limit) return done(tooLarge(), undefined);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(ScimErrors.invalidSyntax('request body is not valid JSON'), undefined);
      }
    });
  });
}
