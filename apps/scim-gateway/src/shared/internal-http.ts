import { currentTraceparent } from '@taskize/observability';
import { INTERNAL_TOKEN_HEADER } from '@taskize/http';
import { ScimErrors, errorFromBody } from '@taskize/scim-core';

export interface InternalResponse<T> {
  status: number;
  body: T;
}

/**
 * JSON over HTTP to another Taskize Connect service, bounded by a timeout. A service that cannot be
 * reached is our fault, not the client's: 503 with Retry-After (Okta and Entra retry those).
 */
export class InternalHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
    private readonly retryAfterSeconds: number,
    private readonly serviceName: string,
  ) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, requestId?: string): Promise<InternalResponse<T>> {
    let response: Response;
    const traceparent = currentTraceparent();
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          [INTERNAL_TOKEN_HEADER]: this.token,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(requestId ? { 'x-request-id': requestId } : {}),
          // The auth/directory request joins the SCIM request's trace.
          ...(traceparent ? { traceparent } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw ScimErrors.serviceUnavailable(`the ${this.serviceName} service is unavailable, retry later`, this.retryAfterSeconds);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw ScimErrors.serviceUnavailable(`the ${this.serviceName} service answered unexpectedly`, this.retryAfterSeconds);
    }
    if (response.status >= 500) throw ScimErrors.serviceUnavailable(`the ${this.serviceName} service is unavailable, retry later`, this.retryAfterSeconds);
    return { status: response.status, body: parsed as T };
  }

  /** GET that turns a 4xx SCIM error body from the service into the same ScimError here. */
  async getOk<T>(path: string, requestId?: string): Promise<T> {
    const { status, body } = await this.request<T>('GET', path, undefined, requestId);
    if (status >= 400) throw errorFromBody(body, status);
    return body;
  }
}
