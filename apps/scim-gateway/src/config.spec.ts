import { ConfigError } from '@taskize/config';
import { loadConfig } from './config';

const REQUIRED = { KAFKA_BROKERS: '127.0.0.1:9092', INTERNAL_API_TOKEN: 'x'.repeat(32) };

describe('gateway config: OAuth access-token settings', () => {
  it.each([
    ['derive from AUTH_URL and PUBLIC_BASE_URL when unset', { AUTH_URL: 'http://auth:3001/', PUBLIC_BASE_URL: 'https://scim.example.com/scim/v2' }, {
      AUTH_ISSUER: 'http://auth:3001/oauth',
      AUTH_JWKS_URL: 'http://auth:3001/oauth/jwks',
      SCIM_AUDIENCE: 'https://scim.example.com/scim/v2',
      CONNECTION_CACHE_TTL_MS: 30_000,
      JWKS_COOLDOWN_MS: 30_000,
    }],
    ['keep explicit values exactly, trailing slash included (iss and aud are string matches)', {
      AUTH_ISSUER: 'https://auth.example.com/oauth/',
      AUTH_JWKS_URL: 'http://auth:3001/oauth/jwks',
      SCIM_AUDIENCE: 'https://scim.example.com/scim/v2/',
      CONNECTION_CACHE_TTL_MS: '1000',
    }, {
      AUTH_ISSUER: 'https://auth.example.com/oauth/',
      AUTH_JWKS_URL: 'http://auth:3001/oauth/jwks',
      SCIM_AUDIENCE: 'https://scim.example.com/scim/v2/',
      CONNECTION_CACHE_TTL_MS: 1000,
    }],
  ])('%s', (_, env, expected) => {
    expect(loadConfig({ ...REQUIRED, ...env })).toMatchObject(expected);
  });

  it.each([
    ['a connection cache longer than 30 s (revocation must reach the gateway within 60 s)', { CONNECTION_CACHE_TTL_MS: '30001' }],
    ['an issuer that is no URL', { AUTH_ISSUER: 'auth service' }],
  ])('refuses %s', (_, env) => {
    expect(() => loadConfig({ ...REQUIRED, ...env })).toThrow(ConfigError);
  });
});
