import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The admin console's session cookie; path /admin so the OAuth pages never receive it. */
export const SESSION_COOKIE = 'tzc_admin';
/** Binds the sign-in form to this browser (login CSRF), before any session exists. */
export const LOGIN_COOKIE = 'tzc_admin_login';
export const ADMIN_PATH = '/admin';

export interface SessionLifetimes {
  /** Signed out after this long without a request. */
  idleSeconds: number;
  /** Signed out this long after signing in, however active: a stolen cookie does not live forever. */
  absoluteSeconds: number;
}

export const DEFAULT_LIFETIMES: SessionLifetimes = { idleSeconds: 30 * 60, absoluteSeconds: 8 * 3600 };

export interface AdminSession {
  /** Random per sign-in: the CSRF tokens of this session are bound to it. */
  sid: string;
  organisationId: string;
  userId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  lastSeen: number;
}

/**
 * Stateless signed sessions: `base64url(JSON).mac`. Signed with a key derived from each cookie key
 * (AUTH_COOKIE_KEYS, newest first): the newest signs, every one verifies, so rotating the keys signs
 * nobody out until the old key is dropped. Derived, not the raw key, so a MAC made for oidc-provider's
 * cookies can never pass as an admin session (and vice versa). The caller re-checks on every request
 * that the user is still an enabled admin, so a demotion takes effect at once.
 */
export class AdminSessions {
  private readonly keys: Buffer[];

  constructor(
    cookieKeys: readonly string[],
    readonly lifetimes: SessionLifetimes = DEFAULT_LIFETIMES,
    private readonly now: () => number = Date.now,
  ) {
    if (!cookieKeys.length) throw new Error('at least one cookie key is required');
    this.keys = cookieKeys.map((k) => createHmac('sha256', k).update('admin-session').digest());
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private mac(key: Buffer, payload: string): string {
    return createHmac('sha256', key).update(payload).digest('base64url');
  }

  start(organisationId: string, userId: string): AdminSession {
    const t = this.seconds();
    return { sid: randomBytes(16).toString('base64url'), organisationId, userId, issuedAt: t, lastSeen: t };
  }

  /** The cookie value for the session, seen now (sliding idle lifetime). */
  seal(session: AdminSession): string {
    const payload = Buffer.from(JSON.stringify({ ...session, lastSeen: this.seconds() })).toString('base64url');
    return `${payload}.${this.mac(this.keys[0] as Buffer, payload)}`;
  }

  /** The session in a cookie value, if genuine and neither idle nor too old. */
  open(value: string | undefined): AdminSession | undefined {
    if (!value) return undefined;
    const [payload, mac, ...rest] = value.split('.');
    if (rest.length || !payload || !mac || !this.keys.some((k) => safeEqual(mac, this.mac(k, payload)))) return undefined;
    let s: Partial<AdminSession>;
    try {
      s = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<AdminSession>;
    } catch {
      return undefined;
    }
    const { sid, organisationId, userId, issuedAt, lastSeen } = s;
    if (typeof sid !== 'string' || typeof organisationId !== 'string' || typeof userId !== 'string' || typeof issuedAt !== 'number' || typeof lastSeen !== 'number') return undefined;
    const t = this.seconds();
    if (t - lastSeen >= this.lifetimes.idleSeconds || t - issuedAt >= this.lifetimes.absoluteSeconds) return undefined;
    return { sid, organisationId, userId, issuedAt, lastSeen };
  }
}

export const newLoginNonce = (): string => randomBytes(16).toString('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Cookies from a Cookie header; the first of a repeated name wins (the most specific path, RFC 6265 §5.4). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const name = part.slice(0, i).trim();
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A malformed value is treated as absent rather than failing the request.
    }
  }
  return out;
}

/**
 * A Set-Cookie value. HttpOnly always (no script may read it; there is none anyway), SameSite=Lax
 * (cross-site POSTs arrive without it), Secure when the public URL is https. `maxAgeSeconds: 0` clears.
 */
export function setCookie(name: string, value: string, opts: { path: string; secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path}`, `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
