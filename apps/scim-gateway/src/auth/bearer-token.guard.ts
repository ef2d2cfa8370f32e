import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { ScimError } from '@taskize/scim-core';
import type { FastifyRequest } from 'fastify';
import { AuthClient, type Tenant } from './auth.client';

type TenantRequest = FastifyRequest & { tenant?: Tenant };

const REALM = 'Bearer realm="Taskize Connect"';

/**
 * Every SCIM route: `Authorization: Bearer <token>` → the organisation that owns the token. The
 * tenant comes only from the token, never from the request (RFC 6750 §3 for the challenge).
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(private readonly auth: AuthClient) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (!token) {
      throw new ScimError(401, undefined, 'missing bearer token', { 'WWW-Authenticate': REALM });
    }
    const tenant = await this.auth.resolve(token, String(request.id));
    if (!tenant) {
      throw new ScimError(401, undefined, 'invalid or revoked token', { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
    }
    request.tenant = tenant;
    return true;
  }
}

export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): Tenant => {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without BearerTokenGuard');
  return tenant;
});
