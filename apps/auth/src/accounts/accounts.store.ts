import { ER_DUP_ENTRY, mysqlError, type Queryable } from '@taskize/db';
import { randomUUID } from 'node:crypto';
import { PLANS, type Plan } from '../organisations/organisation.entity';
import { OrganisationError } from '../organisations/organisations.store';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './password';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Seed guide, prerequisites: "a Business level subscription or above". */
export const CONNECT_PLANS: readonly Plan[] = ['business', 'enterprise'];
export const planQualifies = (plan: string): boolean => (CONNECT_PLANS as readonly string[]).includes(plan);

export interface User {
  id: string;
  email: string;
  passwordHash: string;
  disabled: boolean;
}

export interface Membership {
  organisationId: string;
  slug: string;
  name: string;
  plan: Plan;
  role: Role;
}

/** Conservative shape check only; deliverability is not ours to judge. */
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

export class AccountsStore {
  constructor(private readonly db: Queryable) {}

  /** Creates the user (or reuses it by email: one person, several organisations) and its membership. */
  async addMember(input: { organisationId: string; email: string; password: string; role: string }): Promise<{ userId: string; created: boolean }> {
    const email = normaliseEmail(input.email);
    if (!EMAIL.test(email)) throw new OrganisationError(`"${input.email}" is not an email address`);
    if (!(ROLES as readonly string[]).includes(input.role)) throw new OrganisationError(`role must be one of ${ROLES.join(', ')}`);
    const existing = await this.findUserByEmail(email);
    let userId = existing?.id;
    if (!userId) {
      if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
        throw new OrganisationError(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
      }
      userId = randomUUID();
      await this.db.query('INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)', [userId, email, await hashPassword(input.password), new Date()]);
    }
    try {
      await this.db.query('INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)', [userId, input.organisationId, input.role, new Date()]);
    } catch (error) {
      if (mysqlError(error).errno === ER_DUP_ENTRY) throw new OrganisationError(`${email} is already a member of that organisation`);
      throw error;
    }
    return { userId, created: !existing };
  }

  async setDisabled(email: string, disabled: boolean): Promise<boolean> {
    const result = (await this.db.query('UPDATE users SET disabled_at = ? WHERE email = ?', [disabled ? new Date() : null, normaliseEmail(email)])) as { affectedRows?: number };
    return (result.affectedRows ?? 0) > 0;
  }

  async setRole(userId: string, organisationId: string, role: Role): Promise<void> {
    await this.db.query('UPDATE memberships SET role = ? WHERE user_id = ? AND organisation_id = ?', [role, userId, organisationId]);
  }

  async findUserByEmail(email: string): Promise<User | undefined> {
    const rows = (await this.db.query('SELECT id, email, password_hash, disabled_at FROM users WHERE email = ?', [normaliseEmail(email)])) as {
      id: string;
      email: string;
      password_hash: string;
      disabled_at: Date | null;
    }[];
    const row = rows[0];
    return row && { id: row.id, email: row.email, passwordHash: row.password_hash, disabled: row.disabled_at !== null };
  }

  async findUser(id: string): Promise<User | undefined> {
    const rows = (await this.db.query('SELECT email FROM users WHERE id = ?', [id])) as { email: string }[];
    return rows[0] ? this.findUserByEmail(rows[0].email) : undefined;
  }

  /** The organisations the user may act in: memberships the directory has deactivated (SCIM) are left out. */
  async memberships(userId: string): Promise<Membership[]> {
    const rows = (await this.db.query(
      `SELECT o.id AS organisationId, o.slug, o.name, o.plan, m.role FROM memberships m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.user_id = ? AND m.directory_deactivated_at IS NULL ORDER BY o.name, o.slug`,
      [userId],
    )) as Membership[];
    return rows.filter((r) => (PLANS as readonly string[]).includes(r.plan));
  }

  /**
   * The one check every sign-in, code exchange and refresh makes: the user is enabled, an admin of
   * that organisation, not deactivated in that organisation's directory, and the plan may connect.
   */
  async activeAdmin(organisationId: string, userId: string): Promise<{ email: string; organisation: Membership } | undefined> {
    const rows = (await this.db.query(
      `SELECT u.email, o.id AS organisationId, o.slug, o.name, o.plan, m.role FROM memberships m
       JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.organisation_id
       WHERE m.user_id = ? AND m.organisation_id = ? AND m.role = 'admin' AND u.disabled_at IS NULL AND m.directory_deactivated_at IS NULL`,
      [userId, organisationId],
    )) as (Membership & { email: string })[];
    const row = rows[0];
    if (!row || !planQualifies(row.plan)) return undefined;
    const { email, ...organisation } = row;
    return { email, organisation };
  }

  /** True when the user has a membership that the organisation's directory deactivated or deleted (SCIM). */
  async deactivatedInDirectory(userId: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 AS x FROM memberships WHERE user_id = ? AND directory_deactivated_at IS NOT NULL LIMIT 1', [userId])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Memberships whose AccountLinked event is still to be published to the directory, oldest first
   * (ix_memberships_directory_pending: the scan reads only pending rows).
   */
  async pendingDirectoryLinks(limit: number): Promise<{ userId: string; organisationId: string; email: string }[]> {
    return (await this.db.query(
      `SELECT m.user_id AS userId, m.organisation_id AS organisationId, u.email FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.directory_synced_at IS NULL ORDER BY m.created_at LIMIT ?`,
      [limit],
    )) as { userId: string; organisationId: string; email: string }[];
  }

  async markDirectoryLinked(links: readonly { userId: string; organisationId: string }[], at: Date): Promise<void> {
    if (!links.length) return;
    await this.db.query(
      `UPDATE memberships SET directory_synced_at = ? WHERE ${links.map(() => '(user_id = ? AND organisation_id = ?)').join(' OR ')}`,
      [at, ...links.flatMap((l) => [l.userId, l.organisationId])],
    );
  }

  /**
   * Follows the directory (identity events): a membership is deactivated while its linked directory user is
   * inactive or deleted, and active again when the user is reactivated. Idempotent, so a replay is harmless.
   */
  async setDirectoryStatus(organisationId: string, userId: string, deactivated: boolean, at: Date): Promise<boolean> {
    const result = (await this.db.query(
      `UPDATE memberships SET directory_deactivated_at = ${deactivated ? 'COALESCE(directory_deactivated_at, ?)' : 'NULL'} WHERE user_id = ? AND organisation_id = ?`,
      deactivated ? [at, userId, organisationId] : [userId, organisationId],
    )) as { affectedRows?: number };
    return (result.affectedRows ?? 0) > 0;
  }
}
