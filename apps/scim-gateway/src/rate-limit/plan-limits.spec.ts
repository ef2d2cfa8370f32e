import { ConfigError } from '@taskize/config';
import { loadConfig } from '../config';
import { limitFor, planLabel, planLimits } from './plan-limits';

const REQUIRED = { KAFKA_BROKERS: '127.0.0.1:9092', INTERNAL_API_TOKEN: 'x'.repeat(32) };

describe('per-plan rate limits from the gateway config', () => {
  it.each([
    ['free', 25, 50],
    ['team', 50, 100],
    ['business', 100, 200],
    ['enterprise', 150, 300],
    ['unknown-plan', 25, 50],
  ])('%s defaults to %i requests/s with a burst of %i', (plan, ratePerSecond, burst) => {
    expect(limitFor(planLimits(loadConfig(REQUIRED)), plan)).toEqual({ ratePerSecond, burst });
  });

  it('reads each plan from its own variables', () => {
    const limits = planLimits(loadConfig({ ...REQUIRED, RATE_LIMIT_TEAM_PER_SECOND: '40', RATE_LIMIT_TEAM_BURST: '400' }));
    expect(limits.team).toEqual({ ratePerSecond: 40, burst: 400 });
    expect(limits.free).toEqual({ ratePerSecond: 25, burst: 50 });
  });

  it.each([
    ['a rate under Entra’s 25 requests/s floor', { RATE_LIMIT_FREE_PER_SECOND: '24' }, 'RATE_LIMIT_FREE_PER_SECOND: must be at least 25'],
    ['a burst under one second of rate', { RATE_LIMIT_BUSINESS_BURST: '99' }, 'RATE_LIMIT_BUSINESS_BURST: must be at least RATE_LIMIT_BUSINESS_PER_SECOND'],
    ['a rate that is no number', { RATE_LIMIT_ENTERPRISE_PER_SECOND: 'fast' }, 'RATE_LIMIT_ENTERPRISE_PER_SECOND'],
  ])('refuses %s', (_what, env, message) => {
    expect(() => loadConfig({ ...REQUIRED, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, ...env })).toThrow(message);
  });

  it.each([
    ['free', 'free'],
    ['enterprise', 'enterprise'],
    ['platinum', 'other'],
    ['', 'other'],
  ])('labels plan "%s" as "%s" on the rate-limited metric', (plan, label) => {
    expect(planLabel(plan)).toBe(label);
  });
});
