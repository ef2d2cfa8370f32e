import { Inject, Injectable } from '@nestjs/common';
import { ScimError, ScimErrors } from '@taskize/scim-core';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import type { GatewayConfig } from '../config';
import { CONFIG } from '../shared/tokens';
import { invalidToken } from './challenges';
import { grantedScopes } from './scopes';

/** The claims the gateway relies on, from an access token whose signature and registered claims checked out. */
export interface AccessTokenClaims {
  jti: string;
  clientId: string;
  organisationId: string;
  grantId: string;
  scopes: ReadonlySet<string>;
}

/** Asymmetric only: an HS* token could be signed with the public key bytes, `none` with nothing (RFC 8725 §3.1). */
export const ALLOWED_ALGORITHMS = ['RS256', 'PS256', 'ES256'];
/** RFC 9068 §2.1: the media type that keeps an ID token or any other JWT from passing as an access token. */
const ACCESS_TOKEN_TYP = 'at+jwt';
/** Hosts' clocks drift; seconds, not minutes, so an expired token still gets Okta to refresh promptly. */
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * Our access tokens live about an hour. Setting a maximum age also makes jose check that `iat` is not in the
 * future; a day leaves room for a longer TTL on the auth side without accepting a token minted far ahead.
 */
const MAX_TOKEN_AGE = '1 day';
const STRING_CLAIMS = ['jti', 'client_id', 'scope', 'org_id', 'grant_id'] as const;

/** The JWKS could not be fetched or read: the token may well be fine, so this is a 503, not a 401. */
class JwksUnavailable extends Error {}

/**
 * Verifies OAuth JWT access tokens from our auth service against its JWKS. jose's remote key set caches the keys
 * and fetches again when a token names a `kid` it does not hold, which is how a key rotation reaches the gateway.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(@Inject(CONFIG) private readonly cfg: GatewayConfig) {
    this.keys = createRemoteJWKSet(new URL(cfg.AUTH_JWKS_URL), {
      timeoutDuration: cfg.INTERNAL_HTTP_TIMEOUT_MS,
      cooldownDuration: cfg.JWKS_COOLDOWN_MS,
      [customFetch]: fetchJwks,
    });
  }

  /** Resolves to the claims, or throws a ScimError: 401 invalid_token for any token fault, 503 when keys are out of reach. */
  async verify(token: string): Promise<AccessTokenClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        (header, jws) => {
          // Our auth service always names its key; a kid-less token would let jose try whichever key fits the alg.
          if (typeof header.kid !== 'string' || header.kid === '') throw invalidToken('the access token header names no signing key ("kid")');
          return this.keys(header, jws);
        },
        {
          algorithms: ALLOWED_ALGORITHMS,
          typ: ACCESS_TOKEN_TYP,
          issuer: this.cfg.AUTH_ISSUER,
          audience: this.cfg.SCIM_AUDIENCE,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          maxTokenAge: MAX_TOKEN_AGE,
          requiredClaims: ['exp', 'iat', ...STRING_CLAIMS],
        },
      ));
    } catch (error) {
      throw this.rejection(error);
    }
    for (const claim of STRING_CLAIMS) {
      const value = payload[claim];
      // An empty scope is a token that grants nothing (403 per endpoint); every other claim must name something.
      const usable = typeof value === 'string' && value.length <= 1024 && (value !== '' || claim === 'scope');
      if (!usable) throw invalidToken(`the access token's "${claim}" claim is not a usable string`);
    }
    return {
      jti: payload.jti as string,
      clientId: payload['client_id'] as string,
      organisationId: payload['org_id'] as string,
      grantId: payload['grant_id'] as string,
      scopes: grantedScopes(payload['scope'] as string),
    };
  }

  private rejection(error: unknown): ScimError {
    if (error instanceof ScimError) return error;
    if (error instanceof JwksUnavailable || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
      return ScimErrors.serviceUnavailable('the signing keys for access tokens cannot be fetched, retry later', this.cfg.RETRY_AFTER_SECONDS);
    }
    if (error instanceof errors.JWTExpired) return invalidToken('the access token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) return invalidToken(`the access token was rejected: "${error.claim}" check failed`);
    if (error instanceof errors.JWSSignatureVerificationFailed) return invalidToken('the access token signature does not verify');
    if (error instanceof errors.JWKSNoMatchingKey) return invalidToken('the access token is signed with a key the auth service does not publish');
    if (error instanceof errors.JOSEAlgNotAllowed) return invalidToken('the access token is signed with an algorithm that is not allowed');
    // Every other jose error is about the token's form (bad JSON, unsupported header, …); ours are all above.
    if (error instanceof errors.JOSEError) return invalidToken('the access token is malformed');
    throw error;
  }
}

/**
 * jose's fetch, with every way of not getting a key set turned into JwksUnavailable: jose itself reports a non-200
 * and bad JSON as a plain JOSEError, which would be indistinguishable from a bad token.
 */
async function fetchJwks(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, init);
    text = await response.text();
  } catch (cause) {
    throw new JwksUnavailable(`JWKS fetch failed: ${String(cause)}`);
  }
  if (response.status !== 200) throw new JwksUnavailable(`JWKS answered ${response.status}`);
  try {
    JSON.parse(text);
  } catch {
    throw new JwksUnavailable('JWKS answered with something other than JSON');
  }
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
}
