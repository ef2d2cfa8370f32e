/**
 * Refresh tokens rotate on every use, and oidc-provider revokes the whole grant when a consumed one
 * comes back (reuse detection, RFC 9700 §4.14.2). Okta retries a refresh whose response it lost;
 * revoking then would disconnect the customer until an admin clicks Re-authenticate. So a consumed
 * refresh token may be presented once more within a short grace window and is treated as unused;
 * after the window, or a second time, it is a replay and the grant is revoked.
 */
export const REFRESH_GRACE_SECONDS = 60;

export interface ConsumptionState {
  consumedAt: Date | null;
  graceUsed: boolean;
}

export function withinRefreshGrace(state: ConsumptionState, now: Date, graceSeconds = REFRESH_GRACE_SECONDS): boolean {
  if (!state.consumedAt || state.graceUsed) return false;
  const age = now.getTime() - state.consumedAt.getTime();
  return age >= 0 && age <= graceSeconds * 1000;
}
