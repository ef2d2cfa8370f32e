import { ScimError } from '@taskize/scim-core';

/**
 * The bearer-token errors of RFC 6750 §3 in the SCIM error shape of RFC 7644 §3.12. The catalogue's
 * `unauthorized`/`forbidden` carry no challenge, so these add the `WWW-Authenticate` header that tells a
 * client what to do: `invalid_token` is Okta's cue to refresh; `insufficient_scope` names what is missing.
 */
export const REALM = 'Bearer realm="Taskize Connect"';

/** No credentials at all: RFC 6750 §3.1 says the challenge then carries no error code. */
export function missingToken(): ScimError {
  return new ScimError(401, undefined, 'missing bearer token', { 'WWW-Authenticate': REALM });
}

export function invalidToken(detail: string): ScimError {
  return new ScimError(401, undefined, detail, { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
}

/** `scopes`: any one of them would do; RFC 6750 §3 lists them space-separated in one `scope` attribute. */
export function insufficientScope(scopes: readonly string[]): ScimError {
  const scope = scopes.join(' ');
  return new ScimError(403, undefined, `the access token lacks the scope this endpoint needs (${scopes.join(' or ')})`, {
    'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"`,
  });
}
