import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, Optional } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { metrics } from '@taskize/observability';
import { ScimErrors } from '@taskize/scim-core';
import type { Observable } from 'rxjs';
import type { Tenant } from '../auth/auth.client';
import type { GatewayConfig } from '../config';
import { CONFIG } from '../shared/tokens';
import { type PlanLimits, limitFor, planLabel, planLimits } from './plan-limits';
import { TokenBuckets } from './token-buckets';

/** Provide a clock under this token to step time in tests; production uses the monotonic clock. */
export const RATE_LIMIT_CLOCK = Symbol('RATE_LIMIT_CLOCK');

/**
 * Tenant fairness (issue 6, item 5): one token bucket per organisation, sized by its plan, for every SCIM request —
 * reads and writes alike, since both cost the directory and an import is mostly reads (Okta's lookup before each
 * create). Over the limit: 429 with `Retry-After` and an RFC 7644 §3.12 body; Entra and Okta pause and retry on it.
 *
 * An interceptor, registered globally, because Nest runs interceptors after every guard: the bucket is taken only
 * once BearerTokenGuard has resolved the tenant, so unauthenticated or forged requests never spend a tenant's
 * budget, and routes without a tenant (discovery, health) are not limited.
 *
 * The buckets live in this process: PER GATEWAY INSTANCE, not cluster-wide. A tenant's cluster-wide ceiling is the
 * configured rate times the replicas its requests are spread over; its floor is the configured rate even when one
 * keep-alive connection pins it to a single replica — which is why the per-instance rate, not a share of a cluster
 * figure, must be ≥ 25/s (Entra's requirement). No shared store (Redis) on purpose: the limit exists for fairness,
 * not billing, and a store would add a network hop and a new failure mode to every SCIM request. See docs/scim.md.
 */
@Injectable()
export class TenantRateLimitInterceptor implements NestInterceptor {
  private readonly limits: PlanLimits;
  private readonly buckets: TokenBuckets;

  constructor(@Inject(CONFIG) cfg: GatewayConfig, @Optional() @Inject(RATE_LIMIT_CLOCK) clock?: () => number) {
    this.limits = planLimits(cfg);
    this.buckets = new TokenBuckets(clock ? { now: clock } : {});
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const tenant = context.switchToHttp().getRequest<{ tenant?: Tenant }>().tenant;
    if (!tenant) return next.handle();
    const verdict = this.buckets.take(tenant.organisationId, limitFor(this.limits, tenant.plan));
    if (!verdict.allowed) {
      metrics.rateLimited().inc({ plan: planLabel(tenant.plan) });
      throw ScimErrors.tooManyRequests(`too many requests for this organisation (plan ${tenant.plan}); retry after ${verdict.retryAfterSeconds} s`, verdict.retryAfterSeconds);
    }
    return next.handle();
  }
}

/** The one line app.module.ts needs: a global interceptor (after all guards, see above). */
export const tenantRateLimitProvider = { provide: APP_INTERCEPTOR, useClass: TenantRateLimitInterceptor };
