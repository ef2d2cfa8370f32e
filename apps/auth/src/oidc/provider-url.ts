import { SCIM_SCOPES } from './configuration';

export const PROVIDER_PREFIX = '/oauth';

/**
 * oidc-provider answers 404 for every path it does not own, so it gets only `/oauth/...`; it routes
 * without the prefix and derives its mount path from `originalUrl` (as under Express `app.use`).
 * Authorization requests without `scope` get the SCIM scopes: Okta's wizard has no scope field.
 * Returns undefined for paths that are not the provider's.
 */
export function providerUrl(url: string): { url: string; originalUrl: string } | undefined {
  if (url !== PROVIDER_PREFIX && !url.startsWith(`${PROVIDER_PREFIX}/`) && !url.startsWith(`${PROVIDER_PREFIX}?`)) return undefined;
  let rest = url.slice(PROVIDER_PREFIX.length) || '/';
  if (rest.startsWith('?')) rest = `/${rest}`;
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  if (path === '/auth') {
    const params = new URLSearchParams(q === -1 ? '' : rest.slice(q + 1));
    if (!params.get('scope')) {
      params.set('scope', SCIM_SCOPES.join(' '));
      rest = `${path}?${params.toString()}`;
    }
  }
  return { url: rest, originalUrl: `${PROVIDER_PREFIX}${rest}` };
}
