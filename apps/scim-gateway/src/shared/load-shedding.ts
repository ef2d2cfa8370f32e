import { ScimErrors, toErrorBody } from '@taskize/scim-core';
import type { FastifyInstance } from 'fastify';

export interface LoadSheddingOptions {
  /** SCIM requests this instance serves at once; the next one gets 503 + Retry-After. */
  maxInFlight: number;
  retryAfterSeconds: number;
}

/**
 * Bounds the SCIM requests one gateway holds open. Under overload (found by `npm run bench -- pipeline`
 * at 300/s on a slow machine) an open-loop client piles up thousands of waiting requests, each holding
 * its body, its pending reply and its timers; the gateway's memory grew past 370 MB, and with a heap cap
 * it died of heap exhaustion. A fast 503 with Retry-After is what RFC 7644 §3.12 and both IdPs expect from
 * a busy service: Okta and Entra retry it later, and nothing was accepted, so nothing is lost. Per-tenant
 * fairness is the rate limiter's job (src/rate-limit); this is the instance's own safety valve.
 */
export function installLoadShedding(fastify: FastifyInstance, opts: LoadSheddingOptions): { readonly inFlight: number } {
  let inFlight = 0;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/scim/v2/')) return done();
    if (inFlight >= opts.maxInFlight) {
      const error = ScimErrors.serviceUnavailable('the service is busy, retry later', opts.retryAfterSeconds);
      void reply
        .code(503)
        .headers(error.headers ?? {})
        .type('application/scim+json')
        .send(toErrorBody(error));
      return;
    }
    inFlight++;
    // 'close' fires once whether the response finished or the client went away.
    reply.raw.once('close', () => inFlight--);
    done();
  });
  return {
    get inFlight() {
      return inFlight;
    },
  };
}
