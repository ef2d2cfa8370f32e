import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ScimErrors } from '@taskize/scim-core';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';

export const INTERNAL_API_TOKEN = Symbol('INTERNAL_API_TOKEN');
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Service-to-service endpoints: a shared secret compared in constant time (NetworkPolicy is the first fence). */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(INTERNAL_API_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<FastifyRequest>().headers[INTERNAL_TOKEN_HEADER];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), this.expected)) {
      throw ScimErrors.unauthorized('internal endpoint');
    }
    return true;
  }
}
