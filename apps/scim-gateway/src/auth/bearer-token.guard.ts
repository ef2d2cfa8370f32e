import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { ScimError } from '@taskize/scim-core';
import { assignLogContext, metrics } from '@taskize/observability';
import type { FastifyRequest } from 'fastify';
import { AccessTokenVerifier } from './access-token.verifier';
import { AuthClient, type Tenant } from './auth.client';
import { insufficientScope, invalidToken, missingToken } from './challenges';
import { ConnectionClient } from './connection.client';
import { scopesFor } from './scopes';
import { looksLikeJwt } from './token-kind';

type TenantRequest = FastifyRequest & { tenant?: Tenant };

/**
 * Every SCIM route: `Authorization: Bearer <token>` → the organisation the token speaks for. The tenant comes only
 * from the token, never from the request (RFC 6750 §3 for the challenges).
 *
 * Two kinds of token: an OAuth JWT access token from our auth service (Okta's "Authenticate with Taskize Connect")
 * is verified here against the JWKS, scoped per endpoint, and its connection checked as still active; anything else
 * is an opaque long-lived SCIM bearer token resolved through auth, with full access.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(
    private readonly auth: AuthClient,
    private readonly verifier: AccessTokenVerifier,
    private readonly connections: ConnectionClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (!token) {
      metrics.tokenValidations().inc({ kind: 'none', result: 'missing' });
      throw missingToken();
    }
    const kind = looksLikeJwt(token) ? 'jwt' : 'opaque';
    try {
      request.tenant = kind === 'jwt' ? await this.fromAccessToken(token, request) : await this.fromOpaqueToken(token, request);
    } catch (error) {
      metrics.tokenValidations().inc({ kind, result: validationResult(error) });
      throw error;
    }
    metrics.tokenValidations().inc({ kind, result: 'valid' });
    // Every later log line of this request names its tenant (issue 6, item 2).
    assignLogContext({ tenantId: request.tenant.organisationId });
    return true;
  }

  private async fromOpaqueToken(token: string, request: TenantRequest): Promise<Tenant> {
    const tenant = await this.auth.resolve(token, String(request.id));
    if (!tenant) throw invalidToken('invalid or revoked token');
    return tenant;
  }

  private async fromAccessToken(token: string, request: TenantRequest): Promise<Tenant> {
    const route = request.routeOptions.url ?? '';
    const needed = scopesFor(route);
    // A guarded route missing from the scope table is a bug here, not the client's: fail closed and loudly (500).
    if (!needed) throw new Error(`BearerTokenGuard: no OAuth scope is declared for route ${route}`);
    const claims = await this.verifier.verify(token);
    // Invalid before insufficient: a token of a revoked connection must make Okta re-authenticate, whatever its scope.
    const connection = await this.connections.active(claims.grantId, String(request.id));
    if (!connection) throw invalidToken('the connection this token was issued for has been disconnected or is no longer allowed');
    if (connection.organisationId !== claims.organisationId) throw invalidToken('the access token does not belong to its connection’s organisation');
    if (!needed.some((scope) => claims.scopes.has(scope))) throw insufficientScope(needed);
    return { organisationId: claims.organisationId, slug: connection.slug, plan: connection.plan };
  }
}

function validationResult(error: unknown): string {
  const status = error instanceof ScimError ? error.status : 500;
  return status === 401 ? 'invalid' : status === 403 ? 'insufficient_scope' : status === 503 ? 'unavailable' : 'error';
}

export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): Tenant => {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without BearerTokenGuard');
  return tenant;
});
