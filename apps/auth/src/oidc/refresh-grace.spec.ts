import { REFRESH_GRACE_SECONDS, withinRefreshGrace } from './refresh-grace';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

describe('withinRefreshGrace', () => {
  it.each([
    ['never consumed', { consumedAt: null, graceUsed: false }, false],
    ['consumed just now', { consumedAt: ago(0), graceUsed: false }, true],
    ['consumed 59 s ago', { consumedAt: ago(59), graceUsed: false }, true],
    [`consumed exactly ${REFRESH_GRACE_SECONDS} s ago`, { consumedAt: ago(REFRESH_GRACE_SECONDS), graceUsed: false }, true],
    ['consumed 61 s ago (replay)', { consumedAt: ago(61), graceUsed: false }, false],
    ['consumed just now, grace already spent (second retry)', { consumedAt: ago(1), graceUsed: true }, false],
    ['consumed in the future (clock skew between replicas)', { consumedAt: ago(-5), graceUsed: false }, false],
  ])('%s → %s', (_what, state, expected) => {
    expect(withinRefreshGrace(state, NOW)).toBe(expected);
  });
});
