import type { Queryable } from '@taskize/db';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Organisation } from '../organisations/organisations.store';

/** Recognisable prefix so leaked tokens can be found by secret scanners. */
export const TOKEN_PREFIX = 'tzc_';

/**
 * Long-lived SCIM bearer tokens (Entra, Okta custom apps). 256 random bits, so a plain SHA-256 is
 * enough to store them (no slow KDF needed: there is nothing to brute-force).
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ScimTokensStore {
  constructor(private readonly db: Queryable) {}

  async create(organisationId: string, label?: string): Promise<{ id: string; token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    await this.db.query('INSERT INTO scim_tokens (id, organisation_id, token_hash, label, created_at) VALUES (?, ?, ?, ?, ?)', [
      id,
      organisationId,
      hashToken(token),
      label ?? null,
      new Date(),
    ]);
    return { id, token };
  }

  async resolve(token: string): Promise<Organisation | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 128) return undefined;
    const rows = (await this.db.query(
      `SELECT o.id, o.slug, o.name, o.plan FROM scim_tokens t JOIN organisations o ON o.id = t.organisation_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
      [hashToken(token)],
    )) as Organisation[];
    return rows[0];
  }
}
