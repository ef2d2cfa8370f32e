import { providerUrl } from './provider-url';

describe('providerUrl', () => {
  it.each([
    ['/oauth/token', '/token'],
    ['/oauth/jwks', '/jwks'],
    ['/oauth/.well-known/openid-configuration', '/.well-known/openid-configuration'],
    ['/oauth/auth/abc123', '/auth/abc123'],
    ['/oauth', '/'],
    ['/oauth/auth?client_id=c&scope=scim%3Ausers', '/auth?client_id=c&scope=scim%3Ausers'],
  ])('routes %s to the provider as %s', (url, expected) => {
    expect(providerUrl(url)).toEqual({ url: expected, originalUrl: `/oauth${expected === '/' ? '/' : expected}` });
  });

  it.each([['/oauthx/token'], ['/interaction/abc'], ['/healthz'], ['/internal/connections/x'], ['/']])('leaves %s to Nest', (url) => {
    expect(providerUrl(url)).toBeUndefined();
  });

  it.each([
    ['no scope at all (Okta)', '/oauth/auth?response_type=code&client_id=c&state=s'],
    ['an empty scope', '/oauth/auth?response_type=code&client_id=c&scope=&state=s'],
  ])('adds the SCIM scopes when the request has %s', (_what, url) => {
    const params = new URLSearchParams(providerUrl(url)!.url.split('?')[1]);
    expect(params.get('scope')).toBe('scim:users scim:groups');
    expect(params.get('state')).toBe('s');
    expect(params.get('client_id')).toBe('c');
  });

  it('keeps a scope the client asked for', () => {
    expect(providerUrl('/oauth/auth?scope=scim%3Ausers&client_id=c')!.url).toBe('/auth?scope=scim%3Ausers&client_id=c');
  });
});
