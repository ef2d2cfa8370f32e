import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountsStore } from '../accounts/accounts.store';
import type { OAuthSettings } from '../config';
import { providerConfiguration } from './configuration';
import type { OidcAdapterClass } from './mysql.adapter';
import type { OidcProvider } from './oidc.types';
import { providerUrl } from './provider-url';
import type { PrivateJwk } from './signing-keys';

interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  interactionPolicy: {
    base(): { get(name: string): { checks: { add(check: unknown): void } } };
    Check: (new (reason: string, description: string, check: (ctx: { oidc: { result?: { login?: unknown } } }) => boolean) => unknown) & { REQUEST_PROMPT: boolean; NO_NEED_TO_PROMPT: boolean };
  };
}

/**
 * oidc-provider 9 is ESM-only. Node ≥ 20.19 can `require()` an ES module that has no top-level
 * await, and our build emits CommonJS (scripts/build.mjs), so a plain require is the one way that
 * survives SWC (which would rewrite a dynamic `import()` into `require` anyway). This is the only
 * file that loads the package (STYLE.md); Jest cannot load it, so it is exercised by
 * apps/auth/test/oauth.int-spec.ts against the running service.
 */
function loadOidcProvider(): OidcProviderModule {
  return require('oidc-provider') as OidcProviderModule;
}

export interface ProviderDeps {
  settings: OAuthSettings;
  keys: PrivateJwk[];
  adapter: OidcAdapterClass;
  accounts: Pick<AccountsStore, 'activeAdmin'>;
}

export function createProvider(deps: ProviderDeps): OidcProvider {
  const { default: Provider, interactionPolicy } = loadOidcProvider();
  const policy = interactionPolicy.base();
  // Sign in on every authorization, even with a live session: the person approving decides which
  // organisation Okta provisions, and Re-authenticate must be a deliberate act.
  policy.get('login').checks.add(
    new interactionPolicy.Check('fresh_login', 'every connection is approved after a fresh sign-in', (ctx) =>
      ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
    ),
  );
  const provider = new Provider(deps.settings.issuer, providerConfiguration({ ...deps, policy }));
  // Behind a TLS-terminating proxy (https public URL) trust X-Forwarded-Proto/Host for URLs and secure cookies.
  provider.proxy = deps.settings.publicUrl.startsWith('https:');
  const log = new Logger('oidc');
  const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
  // Audit trail of what changes a connection; server_error is ours to fix (the client saw only "server_error").
  provider.on('server_error', (_ctx, err) => log.error({ msg: 'oidc-provider server_error', err: err instanceof Error ? { message: err.message, stack: err.stack } : err }));
  provider.on('grant.revoked', (_ctx, grantId) => log.warn({ msg: 'grant revoked', grantId }));
  provider.on('grant.error', (_ctx, err) => log.log({ msg: 'token request refused', error: message(err) }));
  return provider;
}

/**
 * Hands `/oauth/*` to the provider in an onRequest hook — before Fastify parses bodies, because
 * oidc-provider reads the raw request stream itself — and leaves every other path to Nest. Must run
 * before the Nest app initialises its routes.
 */
export function mountProvider(fastify: FastifyInstance, provider: OidcProvider): void {
  const callback = provider.callback();
  fastify.addHook('onRequest', (req, reply, done) => {
    const target = providerUrl(req.raw.url ?? '');
    if (!target) return done();
    reply.hijack();
    const raw = req.raw as IncomingMessage & { originalUrl?: string };
    raw.originalUrl = target.originalUrl;
    raw.url = target.url;
    callback(raw, reply.raw as ServerResponse);
  });
}
