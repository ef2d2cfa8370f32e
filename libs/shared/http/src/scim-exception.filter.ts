import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ScimError, ScimErrors, toErrorBody } from '@taskize/scim-core';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Nest's own HTTP exceptions (unknown route, …) mapped into the one SCIM error catalogue. */
function fromHttpException(e: HttpException): ScimError {
  const status = e.getStatus();
  const detail = e.message;
  switch (status) {
    case 400:
      return ScimErrors.invalidSyntax(detail);
    case 401:
      return ScimErrors.unauthorized(detail);
    case 403:
      return ScimErrors.forbidden(detail);
    case 404:
      return ScimErrors.notFound(detail.startsWith('Cannot ') ? 'no such endpoint' : detail);
    case 405:
      return ScimErrors.methodNotAllowed(detail);
    case 413:
      return ScimErrors.payloadTooLarge(detail);
    case 415:
      return ScimErrors.unsupportedMediaType(detail);
    default:
      return new ScimError(status, undefined, detail);
  }
}

/**
 * Renders every error as an RFC 7644 §3.12 body with `status` as a string. Anything unexpected
 * becomes an opaque 500 carrying only the request id; the cause is logged, never sent.
 */
function toScimError(exception: unknown, requestId: string, log: Logger): ScimError {
  if (exception instanceof ScimError) return exception;
  if (exception instanceof HttpException) return fromHttpException(exception);
  log.error({ msg: 'unhandled error', requestId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception });
  return ScimErrors.internal(requestId);
}

function sendScimError(reply: FastifyReply, error: ScimError, contentType = SCIM_CONTENT_TYPE): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) void reply.header(name, value);
  void reply.status(error.status).header('content-type', contentType).header('cache-control', 'no-store').send(toErrorBody(error));
}

@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('ScimExceptionFilter');

  constructor(private readonly contentType = SCIM_CONTENT_TYPE) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    sendScimError(http.getResponse<FastifyReply>(), toScimError(exception, String(request.id), this.log), this.contentType);
  }
}
