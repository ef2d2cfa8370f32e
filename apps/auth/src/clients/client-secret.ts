import { createHmac, randomBytes } from 'node:crypto';

/**
 * oidc-provider compares the presented client secret with the plain value its `Client` model holds,
 * so a one-way hash in MySQL cannot work. Instead the database keeps only a random salt and the
 * secret is HMAC(AUTH_CLIENT_SECRET_KEY, client id + salt): a copy of the database alone reveals no
 * secret, and rotating a client (new salt) changes its secret without touching the key.
 */
export function deriveClientSecret(key: string, clientId: string, salt: string): string {
  return createHmac('sha256', key).update(`client-secret\0${clientId}\0${salt}`).digest('base64url');
}

export const newSalt = (): string => randomBytes(16).toString('hex');
export const newClientId = (): string => `tzc-${randomBytes(12).toString('hex')}`;

/**
 * Redirect URIs are matched exactly (RFC 9700 §4.1.1), so they are checked here once: absolute,
 * https (plain http only for loopback and Okta's own test host on port 1802), no fragment.
 */
export function redirectUriProblem(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (u.hash) return `"${uri}" must not have a fragment`;
  if (u.username || u.password) return `"${uri}" must not carry credentials`;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  // Okta's internal test instance calls back on http://system-admin.okta1.com:1802 (Okta OIN docs).
  const oktaTest = u.hostname === 'system-admin.okta1.com' && u.port === '1802';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (loopback || oktaTest))) return `"${uri}" must use https`;
  return undefined;
}
