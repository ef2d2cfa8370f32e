import type { DataSource } from 'typeorm';
import { CONNECT_PLANS } from '../accounts/accounts.store';
import { sha256 } from '../oidc/mysql.adapter';
import type { Plan } from '../organisations/organisation.entity';

export interface ConnectionStatus {
  organisationId: string;
  slug: string;
  plan: Plan;
  active: true;
}

/**
 * A connection is one approved grant: an organisation connected through an OAuth client by one of
 * its administrators. Okta's "Re-authenticate" approves again; the new grant replaces the previous
 * one for that organisation and client, whose tokens and codes are deleted in the same transaction.
 */
export class ConnectionsStore {
  constructor(private readonly ds: DataSource) {}

  /** Records the new connection and returns the grant ids it replaced (already revoked). */
  async replace(input: { grantId: string; organisationId: string; clientId: string; userId: string }): Promise<string[]> {
    return this.ds.transaction(async (tx) => {
      // Serialise approvals for one organisation: two at once must still leave exactly one current.
      await tx.query('SELECT id FROM organisations WHERE id = ? FOR UPDATE', [input.organisationId]);
      const previous = ((await tx.query('SELECT grant_id FROM connections WHERE organisation_id = ? AND client_id = ? AND replaced_at IS NULL', [
        input.organisationId,
        input.clientId,
      ])) as { grant_id: string }[]).map((r) => r.grant_id);
      const now = new Date();
      if (previous.length) {
        await tx.query('UPDATE connections SET replaced_at = ? WHERE grant_id IN (?)', [now, previous]);
        await tx.query('DELETE FROM oidc_payloads WHERE grant_id_hash IN (?)', [previous.map(sha256)]);
      }
      await tx.query('INSERT INTO connections (grant_id, organisation_id, client_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)', [
        input.grantId,
        input.organisationId,
        input.clientId,
        input.userId,
        now,
      ]);
      return previous;
    });
  }

  /**
   * The gateway's check (ADR 0003): the connection exists, is its organisation's current one, its
   * grant has not been revoked (reuse detection deletes it), the approving account is still an
   * enabled admin that the organisation's directory has not deactivated, and the plan still qualifies.
   */
  async status(grantId: string): Promise<ConnectionStatus | undefined> {
    const rows = (await this.ds.query(
      `SELECT o.id AS organisationId, o.slug, o.plan FROM connections c
       JOIN organisations o ON o.id = c.organisation_id
       JOIN memberships m ON m.organisation_id = c.organisation_id AND m.user_id = c.user_id AND m.role = 'admin' AND m.directory_deactivated_at IS NULL
       JOIN users u ON u.id = c.user_id AND u.disabled_at IS NULL
       JOIN oidc_payloads g ON g.model = 'Grant' AND g.id_hash = ? AND (g.expires_at IS NULL OR g.expires_at > ?)
       WHERE c.grant_id = ? AND c.replaced_at IS NULL AND o.plan IN (?)`,
      [sha256(grantId), new Date(), grantId, CONNECT_PLANS],
    )) as { organisationId: string; slug: string; plan: Plan }[];
    const row = rows[0];
    return row && { organisationId: row.organisationId, slug: row.slug, plan: row.plan, active: true };
  }

  /** An organisation's current connections, newest first (admin CLI `connection:list`). */
  async list(organisationId: string): Promise<{ grantId: string; clientId: string; clientName: string; approvedBy: string; createdAt: Date }[]> {
    return (await this.ds.query(
      `SELECT c.grant_id AS grantId, c.client_id AS clientId, k.name AS clientName, u.email AS approvedBy, c.created_at AS createdAt
       FROM connections c JOIN oauth_clients k ON k.id = c.client_id JOIN users u ON u.id = c.user_id
       WHERE c.organisation_id = ? AND c.replaced_at IS NULL ORDER BY c.created_at DESC`,
      [organisationId],
    )) as { grantId: string; clientId: string; clientName: string; approvedBy: string; createdAt: Date }[];
  }

  /** Disconnects: the connection stops being current and its grant's tokens and codes are deleted. */
  async disconnect(organisationId: string, grantId: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      const result = (await tx.query('UPDATE connections SET replaced_at = ? WHERE grant_id = ? AND organisation_id = ? AND replaced_at IS NULL', [
        new Date(),
        grantId,
        organisationId,
      ])) as { affectedRows?: number };
      if (!result.affectedRows) return false;
      await tx.query('DELETE FROM oidc_payloads WHERE grant_id_hash = ?', [sha256(grantId)]);
      return true;
    });
  }
}
