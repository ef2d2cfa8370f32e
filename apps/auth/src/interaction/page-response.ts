import type { FastifyReply } from 'fastify';
import { pageHeaders } from './form-security';

/** Thrown or returned to end a request with a page; anything else thrown is logged and shown as a generic error. */
export class PageResponse {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly formTargets: string[] = [],
  ) {}
}

/**
 * Runs a page handler and sends its page with the pages' headers (no-store, strict CSP with the form
 * targets). An unexpected error goes to `onError`, which logs it and returns the generic error page.
 */
export async function respondWithPage(reply: FastifyReply, fn: () => Promise<PageResponse | undefined>, onError: (error: unknown) => PageResponse) {
  let page: PageResponse | undefined;
  try {
    page = await fn();
  } catch (error) {
    page = error instanceof PageResponse ? error : onError(error);
  }
  if (page) return reply.status(page.status).headers(pageHeaders(page.formTargets)).send(page.body);
  return reply;
}

/** The pages' own stylesheet (the CSP allows only 'self' styles): cacheable, never sniffed. */
export function sendStylesheet(reply: FastifyReply, css: string) {
  return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(css);
}
