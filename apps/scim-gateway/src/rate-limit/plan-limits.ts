import { type GatewayConfig, PLANS, type Plan } from '../config';
import type { BucketLimit } from './token-buckets';

export type PlanLimits = Readonly<Record<Plan, BucketLimit>>;

export function planLimits(cfg: GatewayConfig): PlanLimits {
  const entries = PLANS.map((plan) => {
    const key = plan.toUpperCase() as Uppercase<Plan>;
    return [plan, { ratePerSecond: cfg[`RATE_LIMIT_${key}_PER_SECOND`], burst: cfg[`RATE_LIMIT_${key}_BURST`] }] as const;
  });
  return Object.freeze(Object.fromEntries(entries) as Record<Plan, BucketLimit>);
}

/**
 * A plan this gateway does not know yet (added in auth first) gets the free plan's limits: never more than anyone
 * is promised, never less than the 25 requests/s floor Entra requires.
 */
export function limitFor(limits: PlanLimits, plan: string): BucketLimit {
  return (PLANS as readonly string[]).includes(plan) ? limits[plan as Plan] : limits.free;
}

/** The plan as a metric label: the known plans, or "other" (label values stay a bounded set). */
export function planLabel(plan: string): Plan | 'other' {
  return (PLANS as readonly string[]).includes(plan) ? (plan as Plan) : 'other';
}
