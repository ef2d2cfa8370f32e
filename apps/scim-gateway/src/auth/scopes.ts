export const SCOPE_USERS = 'scim:users';
export const SCOPE_GROUPS = 'scim:groups';

/**
 * Which scopes an OAuth access token needs per SCIM endpoint (any one of the list). Discovery holds no
 * tenant data, so either scope will do. Keyed by the first path segment after /scim/v2 of the matched route.
 */
const BY_ENDPOINT: Readonly<Record<string, readonly string[]>> = {
  Users: [SCOPE_USERS],
  Groups: [SCOPE_GROUPS],
  ServiceProviderConfig: [SCOPE_USERS, SCOPE_GROUPS],
  Schemas: [SCOPE_USERS, SCOPE_GROUPS],
  ResourceTypes: [SCOPE_USERS, SCOPE_GROUPS],
};

/** `undefined` for a route this table does not know: the guard then refuses rather than guess. */
export function scopesFor(routeUrl: string): readonly string[] | undefined {
  const endpoint = /^\/scim\/v2\/([^/?]+)/.exec(routeUrl)?.[1];
  return endpoint !== undefined && Object.hasOwn(BY_ENDPOINT, endpoint) ? BY_ENDPOINT[endpoint] : undefined;
}

/** RFC 6749 §3.3: `scope` is a space-delimited list. */
export function grantedScopes(scope: string): ReadonlySet<string> {
  return new Set(scope.split(' ').filter(Boolean));
}
