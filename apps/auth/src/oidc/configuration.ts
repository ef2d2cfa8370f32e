import type { AccountsStore } from '../accounts/accounts.store';
import { parseAccountId } from '../accounts/account-id';
import type { OAuthSettings } from '../config';
import { errorPage } from '../interaction/views';
import { pageHeaders } from '../interaction/form-security';
import type { OidcAdapterClass } from './mysql.adapter';
import type { ProviderContext, ProviderToken } from './oidc.types';
import type { PrivateJwk } from './signing-keys';

/** Okta's wizard has no scope field and sends none (notes/okta-oauth.md); these are what it gets. */
export const SCIM_SCOPES = ['scim:users', 'scim:groups'] as const;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Idle lifetime: each rotation starts a new one. Okta refreshes only when it has SCIM work to do. */
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 24 * 3600;

export interface ConfigurationDeps {
  settings: Pick<OAuthSettings, 'audience' | 'cookieKeys'>;
  keys: PrivateJwk[];
  adapter: OidcAdapterClass;
  accounts: Pick<AccountsStore, 'activeAdmin'>;
  /** oidc-provider's interaction policy with our extra login check (built where the package is loaded). */
  policy: unknown;
}

/** Where oidc-provider's defaults are changed, and why, is ADR 0003. */
export function providerConfiguration(deps: ConfigurationDeps): Record<string, unknown> {
  const { audience } = deps.settings;
  const signingAlg = deps.keys[0]?.alg ?? 'RS256';
  return {
    adapter: deps.adapter,
    // No static clients: the one Okta client lives in MySQL (`npm run admin -- client:create`).
    clients: [],
    jwks: { keys: deps.keys },
    cookies: { keys: [...deps.settings.cookieKeys] },
    responseTypes: ['code'],
    // RFC 9700 §4.1.1: exact redirect URI matching; Okta always sends redirect_uri.
    allowOmittingSingleRegisteredRedirectUri: false,
    // Accept and enforce PKCE when Okta sends it, never require it (Okta does not document sending it).
    pkce: { required: () => false },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // Okta sends no `resource`: the SCIM API is the default and only resource.
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== audience) throw new Error(`unknown resource ${resource}`);
          return {
            scope: SCIM_SCOPES.join(' '),
            audience,
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg } },
          };
        },
      },
    },
    // Okta sends neither offline_access nor prompt=consent, and must keep refreshing long after our
    // browser session ended: refresh tokens always, never bound to the session.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // Rotate on every use; reuse detection with a grace window lives in the adapter (refresh-grace.ts).
    rotateRefreshToken: true,
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      Interaction: 3600,
      Session: 3600,
      // The grant is extended by the adapter on every refresh; this is only its first span.
      Grant: REFRESH_TOKEN_TTL_SECONDS,
      RefreshToken: REFRESH_TOKEN_TTL_SECONDS,
      IdToken: 3600,
    },
    // Every Approve makes a new grant (a new connection); a remembered one would skip the consent
    // Okta's Re-authenticate expects.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const grantId = ctx.oidc?.result?.consent?.grantId;
      return grantId ? ctx.oidc?.provider?.Grant.find(grantId) : undefined;
    },
    // Sign-in, code exchange and every refresh: still an enabled admin, plan still Business+.
    findAccount: async (_ctx: unknown, sub: string) => {
      const ref = parseAccountId(sub);
      if (!ref || !(await deps.accounts.activeAdmin(ref.organisationId, ref.userId))) return undefined;
      return { accountId: sub, claims: async () => ({ sub }) };
    },
    extraTokenClaims: async (_ctx: unknown, token: ProviderToken) => {
      const ref = token.accountId ? parseAccountId(token.accountId) : undefined;
      if (token.kind !== 'AccessToken' || !ref) return undefined;
      return { org_id: ref.organisationId, grant_id: token.grantId };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`, policy: deps.policy },
    renderError: async (ctx: ProviderContext, out: { error?: string; error_description?: string }) => {
      for (const [name, value] of Object.entries(pageHeaders())) ctx.set(name, value);
      ctx.type = 'html';
      ctx.body = errorPage(describeError(out.error, out.error_description));
    },
  };
}

/** Our words for the errors a browser can land on (the default page pulls a third-party font). */
export function describeError(error = 'server_error', description?: string): { title: string; message: string; code: string } {
  if (error === 'invalid_redirect_uri' || description?.includes('redirect_uri')) {
    return {
      title: 'This connection request is not valid',
      message: 'The address Okta asked us to return to is not registered for this app, so we cannot send you back. Check the app settings in Okta or contact Taskize support.',
      code: error,
    };
  }
  if (error === 'invalid_client') {
    return { title: 'Unknown app', message: 'This app is not registered with Taskize Connect. Contact Taskize support.', code: error };
  }
  // SessionNotFound (oidc-provider provider.js, resume.js): the sign-in outlived its interaction or cookie.
  if (error === 'invalid_request' && /session|has expired/.test(description ?? '')) {
    return expiredError;
  }
  if (error === 'invalid_request' || error === 'invalid_scope' || error === 'unsupported_response_type') {
    return { title: 'This connection request is not valid', message: 'Return to Okta and click "Authenticate with Taskize Connect" again.', code: error };
  }
  return { title: 'Something went wrong', message: 'Return to Okta and click "Authenticate with Taskize Connect" again. If it keeps happening, contact Taskize support.', code: error };
}

export const expiredError = {
  title: 'This sign-in has expired',
  message: 'Your sign-in took too long or was already completed. Return to Okta and click "Authenticate with Taskize Connect" again.',
  code: 'session_expired',
};
