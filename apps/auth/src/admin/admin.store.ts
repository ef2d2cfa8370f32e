import type { Queryable } from '@taskize/db';

export interface TokenRow {
  id: string;
  label: string | null;
  createdAt: Date;
}

/**
 * The admin console's own reads and writes on `scim_tokens`. Every statement takes the signed-in
 * administrator's organisation id, so an id posted for another organisation's token matches nothing.
 */
export class AdminStore {
  constructor(private readonly db: Queryable) {}

  async organisationName(organisationId: string): Promise<string | undefined> {
    const rows = (await this.db.query('SELECT name FROM organisations WHERE id = ?', [organisationId])) as { name: string }[];
    return rows[0]?.name;
  }

  /** Live tokens, newest first. Only the hash of a token is stored, so the token itself is never shown again. */
  async liveTokens(organisationId: string): Promise<TokenRow[]> {
    return (await this.db.query('SELECT id, label, created_at AS createdAt FROM scim_tokens WHERE organisation_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id', [
      organisationId,
    ])) as TokenRow[];
  }

  async revokeToken(organisationId: string, id: string): Promise<boolean> {
    const result = (await this.db.query('UPDATE scim_tokens SET revoked_at = ? WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL', [new Date(), id, organisationId])) as {
      affectedRows?: number;
    };
    return (result.affectedRows ?? 0) > 0;
  }
}
