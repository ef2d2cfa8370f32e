import { deriveClientSecret, redirectUriProblem } from './client-secret';

const KEY = 'k'.repeat(32);

describe('client secrets', () => {
  it('derives the same secret from the same key, id and salt', () => {
    expect(deriveClientSecret(KEY, 'c1', 's1')).toBe(deriveClientSecret(KEY, 'c1', 's1'));
  });

  it.each([
    ['another key', 'x'.repeat(32), 'c1', 's1'],
    ['another client', KEY, 'c2', 's1'],
    ['another salt (rotation)', KEY, 'c1', 's2'],
  ])('changes with %s', (_what, key, id, salt) => {
    expect(deriveClientSecret(key, id, salt)).not.toBe(deriveClientSecret(KEY, 'c1', 's1'));
  });

  it('is 256 bits, base64url', () => {
    expect(deriveClientSecret(KEY, 'c1', 's1')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('redirectUriProblem', () => {
  it.each([
    'https://system-admin.okta.com/admin/app/cpc/taskizeconnect/oauth/callback',
    'https://system-admin.okta-emea.com/admin/app/cpc/taskizeconnect/oauth/callback',
    'https://system-admin.oktapreview.com/admin/app/cpc/taskizeconnect/oauth/callback',
    'http://system-admin.okta1.com:1802/admin/app/cpc/taskizeconnect/oauth/callback',
    'http://127.0.0.1:9999/callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['relative', '/oauth/callback', 'absolute'],
    ['plain http elsewhere', 'http://system-admin.okta.com/cb', 'https'],
    ['a fragment', 'https://system-admin.okta.com/cb#x', 'fragment'],
    ['credentials', 'https://u:p@system-admin.okta.com/cb', 'credentials'],
    ['javascript:', 'javascript:alert(1)', 'https'],
  ])('rejects %s', (_what, uri, problem) => {
    expect(redirectUriProblem(uri)).toContain(problem);
  });
});
