import { retryOnDeadlock, type Queryable } from '@taskize/db';
import { createHash } from 'node:crypto';
import type { ClientsStore } from '../clients/clients.store';
import { REFRESH_GRACE_SECONDS, withinRefreshGrace } from './refresh-grace';

/** oidc-provider's adapter payload: a JSON object with a few well-known fields. */
export interface AdapterPayload {
  [key: string]: unknown;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: unknown;
  exp?: number;
}

/** The adapter contract of oidc-provider 9 (docs: "Adapter" in node-oidc-provider's configuration.md). */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<AdapterPayload | undefined>;
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
  findByUid(uid: string): Promise<AdapterPayload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export type OidcAdapterClass = new (name: string) => OidcAdapter;

/**
 * oidc-provider renders an error with `expose` as `{ error: message, error_description }` at its
 * status (helpers/err_out.js); this is its InvalidGrant without importing the package here.
 */
export function invalidGrant(description: string): Error {
  return Object.assign(new Error('invalid_grant'), { expose: true, statusCode: 400, status: 400, error: 'invalid_grant', error_description: description });
}

/** Tokens, codes and session ids are bearer secrets: only their SHA-256 reaches MySQL. */
export const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

interface Row {
  payload: string;
  consumed_at: Date | null;
  grace_used: number;
}

export interface MysqlAdapterOptions {
  now?: () => Date;
  refreshGraceSeconds?: number;
}

/**
 * Every oidc-provider model in one table keyed by (model, sha256(id)). Lookups by grant, uid and
 * user code go through hashed secondary columns. The `Client` model is read-only from `oauth_clients`.
 */
export function mysqlAdapter(db: Queryable, clients: ClientsStore, opts: MysqlAdapterOptions = {}): OidcAdapterClass {
  const now = opts.now ?? (() => new Date());
  const graceSeconds = opts.refreshGraceSeconds ?? REFRESH_GRACE_SECONDS;

  const toPayload = (model: string, row: Row | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at === null) return payload;
    const state = { consumedAt: row.consumed_at, graceUsed: row.grace_used === 1 };
    if (model === 'RefreshToken' && withinRefreshGrace(state, now(), graceSeconds)) return payload;
    return { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) };
  };

  return class MysqlAdapter implements OidcAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are registered with `npm run admin -- client:create`');
      const expiresAt = typeof expiresIn === 'number' ? new Date(now().getTime() + expiresIn * 1000) : null;
      const grantIdHash = this.model === 'Grant' ? sha256(id) : payload.grantId ? sha256(payload.grantId) : null;
      await db.query(
        `INSERT INTO oidc_payloads (model, id_hash, payload, grant_id_hash, uid_hash, user_code_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE payload = VALUES(payload), grant_id_hash = VALUES(grant_id_hash), uid_hash = VALUES(uid_hash),
           user_code_hash = VALUES(user_code_hash), expires_at = VALUES(expires_at)`,
        [this.model, sha256(id), JSON.stringify(payload), grantIdHash, payload.uid ? sha256(payload.uid) : null, payload.userCode ? sha256(payload.userCode) : null, expiresAt],
      );
      if (this.model === 'RefreshToken' && payload.grantId && expiresAt) await this.afterRotation(id, payload.grantId, expiresAt);
    }

    /**
     * A new refresh token in a grant: (1) the unconsumed ones it supersedes go — after a grace retry
     * that is the token whose response Okta lost, which must not stay usable; (2) the grant lives at
     * least as long as its newest refresh token, because oidc-provider never re-saves the grant on
     * refresh and its default TTL would end every connection after the first period.
     */
    private async afterRotation(id: string, grantId: string, expiresAt: Date): Promise<void> {
      await retryOnDeadlock(() => db.query(`DELETE FROM oidc_payloads WHERE model = 'RefreshToken' AND grant_id_hash = ? AND id_hash <> ? AND consumed_at IS NULL`, [sha256(grantId), sha256(id)]));
      const exp = Math.ceil(expiresAt.getTime() / 1000);
      await db.query(
        `UPDATE oidc_payloads SET expires_at = GREATEST(COALESCE(expires_at, ?), ?),
           payload = JSON_SET(payload, '$.exp', GREATEST(COALESCE(JSON_VALUE(payload, '$.exp'), 0), ?))
         WHERE model = 'Grant' AND id_hash = ?`,
        [expiresAt, expiresAt, exp, sha256(grantId)],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return this.findClient(id);
      const rows = (await db.query(
        'SELECT payload, consumed_at, grace_used FROM oidc_payloads WHERE model = ? AND id_hash = ? AND (expires_at IS NULL OR expires_at > ?)',
        [this.model, sha256(id), now()],
      )) as Row[];
      return toPayload(this.model, rows[0]);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code_hash', userCode);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid_hash', uid);
    }

    private async findBy(column: 'user_code_hash' | 'uid_hash', value: string): Promise<AdapterPayload | undefined> {
      const rows = (await db.query(
        `SELECT payload, consumed_at, grace_used FROM oidc_payloads WHERE model = ? AND ${column} = ? AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`,
        [this.model, sha256(value), now()],
      )) as Row[];
      return toPayload(this.model, rows[0]);
    }

    /**
     * Atomic: one conditional UPDATE, so of two concurrent exchanges of one code only one wins. The
     * loser gets invalid_grant and the grant's tokens are revoked, as for any reuse (RFC 6749 §4.1.2);
     * oidc-provider itself only checks `consumed` before calling this, which a race slips through.
     * A consumed refresh token may be consumed once more within the grace window (the retry), which
     * spends the grace: MySQL assigns SET columns left to right, so grace_used sees the old consumed_at.
     */
    async consume(id: string): Promise<void> {
      const at = now();
      const result = (await db.query(
        `UPDATE oidc_payloads SET grace_used = (consumed_at IS NOT NULL), consumed_at = COALESCE(consumed_at, ?)
         WHERE model = ? AND id_hash = ? AND (consumed_at IS NULL OR (model = 'RefreshToken' AND grace_used = 0 AND consumed_at >= ?))`,
        [at, this.model, sha256(id), new Date(at.getTime() - graceSeconds * 1000)],
      )) as { affectedRows?: number };
      if (result.affectedRows) return;
      const rows = (await db.query('SELECT grant_id_hash FROM oidc_payloads WHERE model = ? AND id_hash = ?', [this.model, sha256(id)])) as { grant_id_hash: string | null }[];
      const grantIdHash = rows[0]?.grant_id_hash;
      if (grantIdHash) await retryOnDeadlock(() => db.query('DELETE FROM oidc_payloads WHERE grant_id_hash = ?', [grantIdHash]));
      throw invalidGrant(`${this.model} already consumed`);
    }

    /**
     * Deletes here run concurrently with each other: on a refresh token replayed after the grace window,
     * oidc-provider destroys the token while the grant's tokens are revoked. The two DELETEs lock the same
     * rows through different indexes, and InnoDB may pick one as a deadlock victim. Each is idempotent,
     * so it is retried instead of surfacing as a 500 (seen in CI: oauth.int-spec, "replayed after the grace
     * window").
     */
    async destroy(id: string): Promise<void> {
      if (this.model === 'Grant') {
        await retryOnDeadlock(() => db.query('DELETE FROM oidc_payloads WHERE grant_id_hash = ?', [sha256(id)]));
        return;
      }
      await retryOnDeadlock(() => db.query('DELETE FROM oidc_payloads WHERE model = ? AND id_hash = ?', [this.model, sha256(id)]));
    }

    /** Every token and code of the grant, whichever model asks (the contract's memory adapter does the same). */
    async revokeByGrantId(grantId: string): Promise<void> {
      await retryOnDeadlock(() => db.query("DELETE FROM oidc_payloads WHERE grant_id_hash = ? AND model <> 'Grant'", [sha256(grantId)]));
    }

    private async findClient(id: string): Promise<AdapterPayload | undefined> {
      const client = await clients.find(id);
      if (!client) return undefined;
      return {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        client_name: client.name,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // Okta may authenticate either way; oidc-provider accepts client_secret_post for a
        // client_secret_basic client (and vice versa).
        token_endpoint_auth_method: 'client_secret_basic',
      };
    }
  };
}
