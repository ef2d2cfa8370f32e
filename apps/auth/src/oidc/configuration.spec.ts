import { describeError, providerConfiguration } from './configuration';

const ORG = '0b6f1c3e-8a1d-4c55-9c43-6f1b2a3c4d5e';
const USER = '7d9e2f10-1b2c-4d3e-8f40-5a6b7c8d9e0f';
const AUDIENCE = 'http://127.0.0.1:13000/scim/v2';

type Fn = (...args: unknown[]) => Promise<unknown> | unknown;

function configuration(activeAdmin: boolean) {
  const cfg = providerConfiguration({
    settings: { audience: AUDIENCE, cookieKeys: ['k'.repeat(32)] },
    keys: [{ kty: 'RSA', kid: 'a', alg: 'RS256' }],
    adapter: class {} as never,
    accounts: { activeAdmin: async () => (activeAdmin ? { email: 'a@b', organisation: {} as never } : undefined) },
    policy: [],
  });
  const features = cfg['features'] as { resourceIndicators: Record<string, Fn> };
  return { cfg, fn: (name: string) => cfg[name] as Fn, ri: features.resourceIndicators };
}

describe('providerConfiguration', () => {
  it.each([
    ['the membership of an active admin', true, `${ORG}:${USER}`, { accountId: `${ORG}:${USER}` }],
    ['a demoted, disabled or downgraded admin', false, `${ORG}:${USER}`, undefined],
    ['a malformed account id', true, 'acme:ada', undefined],
  ])('findAccount resolves %s', async (_what, active, sub, expected) => {
    const account = await configuration(active).fn('findAccount')({}, sub);
    expect(account === undefined ? undefined : { accountId: (account as { accountId: string }).accountId }).toEqual(expected);
  });

  it.each([
    ['an access token', { kind: 'AccessToken', accountId: `${ORG}:${USER}`, grantId: 'g1' }, { org_id: ORG, grant_id: 'g1' }],
    ['a refresh token', { kind: 'RefreshToken', accountId: `${ORG}:${USER}`, grantId: 'g1' }, undefined],
    ['a token without an account', { kind: 'AccessToken', grantId: 'g1' }, undefined],
  ])('extraTokenClaims for %s', async (_what, token, expected) => {
    expect(await configuration(true).fn('extraTokenClaims')({}, token)).toEqual(expected);
  });

  it('issues refresh tokens without offline_access and never binds them to the session (Okta sends neither)', async () => {
    const { fn } = configuration(true);
    expect(await fn('issueRefreshToken')({}, { grantTypeAllowed: (t: string) => t === 'refresh_token' })).toBe(true);
    expect(await fn('expiresWithSession')()).toBe(false);
    expect(configuration(true).cfg['rotateRefreshToken']).toBe(true);
  });

  it('makes the SCIM API the default resource, with JWT access tokens for one hour', async () => {
    const { ri } = configuration(true);
    expect(await ri['defaultResource']!()).toBe(AUDIENCE);
    expect(await ri['getResourceServerInfo']!({}, AUDIENCE)).toEqual({
      scope: 'scim:users scim:groups',
      audience: AUDIENCE,
      accessTokenTTL: 3600,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'RS256' } },
    });
    expect(() => ri['getResourceServerInfo']!({}, 'https://evil.example')).toThrow();
  });

  it('never requires PKCE and never lets a single registered redirect URI be omitted', () => {
    const { cfg } = configuration(true);
    expect((cfg['pkce'] as { required: () => boolean }).required()).toBe(false);
    expect(cfg['allowOmittingSingleRegisteredRedirectUri']).toBe(false);
    expect((cfg['features'] as { devInteractions: { enabled: boolean } }).devInteractions.enabled).toBe(false);
  });
});

describe('describeError', () => {
  it.each([
    ['invalid_redirect_uri', undefined, 'This connection request is not valid'],
    ['invalid_request', 'redirect_uri did not match any of the registered redirect_uris', 'This connection request is not valid'],
    ['invalid_client', undefined, 'Unknown app'],
    ['invalid_request', 'interaction session not found', 'This sign-in has expired'],
    ['invalid_request', 'authorization request has expired', 'This sign-in has expired'],
    ['invalid_request', 'interaction session id cookie not found', 'This sign-in has expired'],
    ['invalid_request', 'missing required parameter response_type', 'This connection request is not valid'],
    ['server_error', undefined, 'Something went wrong'],
  ])('%s (%s) → %s', (error, description, title) => {
    expect(describeError(error, description).title).toBe(title);
  });
});
