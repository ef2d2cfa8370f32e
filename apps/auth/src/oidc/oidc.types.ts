import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The small part of oidc-provider 9 this service uses, typed here: the package ships no types, and
 * only provider.factory.ts may import it (STYLE.md).
 */
export interface InteractionDetails {
  uid: string;
  prompt: { name: 'login' | 'consent' | string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown> & { client_id?: string; redirect_uri?: string };
  session?: { accountId?: string };
  grantId?: string;
}

export interface GrantInstance {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

export interface InteractionResult {
  login?: { accountId: string; remember?: boolean };
  consent?: { grantId: string };
  error?: string;
  error_description?: string;
}

export interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: InteractionResult, opts?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  Grant: new (init: { accountId: string; clientId: string }) => GrantInstance;
  Client: { find(id: string): Promise<{ clientId: string; clientName?: string } | undefined> };
  on(event: string, listener: (...args: unknown[]) => void): void;
  proxy: boolean;
}

/** What a Koa context looks like to our configuration callbacks (only the fields read). */
export interface ProviderContext {
  oidc?: { result?: { consent?: { grantId?: string }; login?: unknown }; provider?: { Grant: { find(id: string): Promise<unknown> } } };
  type?: string;
  body?: unknown;
  status?: number;
  set(name: string, value: string): void;
}

/** Token-ish objects oidc-provider hands to findAccount / extraTokenClaims. */
export interface ProviderToken {
  kind?: string;
  accountId?: string;
  grantId?: string;
}

export const OIDC_PROVIDER = Symbol('OIDC_PROVIDER');
