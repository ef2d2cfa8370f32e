import type { Queryable } from '@taskize/db';
import { OrganisationError } from '../organisations/organisations.store';
import { deriveClientSecret, newClientId, newSalt, redirectUriProblem } from './client-secret';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
}

/** OAuth clients. There is normally one, "okta", shared by every customer (Okta's OIN model). */
export class ClientsStore {
  constructor(
    private readonly db: Queryable,
    private readonly secretKey: string,
  ) {}

  async create(input: { name: string; redirectUris: string[] }): Promise<OAuthClient> {
    if (!input.name.trim()) throw new OrganisationError('name must not be empty');
    if (input.redirectUris.length === 0) throw new OrganisationError('at least one --redirect-uri is required');
    const problems = input.redirectUris.map(redirectUriProblem).filter((p): p is string => p !== undefined);
    if (problems.length) throw new OrganisationError(problems.join('; '));
    const clientId = newClientId();
    const salt = newSalt();
    await this.db.query('INSERT INTO oauth_clients (id, name, redirect_uris, secret_salt, created_at) VALUES (?, ?, ?, ?, ?)', [
      clientId,
      input.name.trim(),
      JSON.stringify([...new Set(input.redirectUris)]),
      salt,
      new Date(),
    ]);
    return { clientId, clientSecret: deriveClientSecret(this.secretKey, clientId, salt), name: input.name.trim(), redirectUris: [...new Set(input.redirectUris)] };
  }

  async find(clientId: string): Promise<OAuthClient | undefined> {
    const rows = (await this.db.query('SELECT id, name, redirect_uris, secret_salt FROM oauth_clients WHERE id = ?', [clientId])) as {
      id: string;
      name: string;
      redirect_uris: string;
      secret_salt: string;
    }[];
    const row = rows[0];
    if (!row) return undefined;
    return { clientId: row.id, name: row.name, redirectUris: JSON.parse(row.redirect_uris) as string[], clientSecret: deriveClientSecret(this.secretKey, row.id, row.secret_salt) };
  }
}
