import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tokens bound to one interaction. The interaction cookie (SameSite=Lax, path /interaction/<uid>)
 * already keeps cross-site POSTs out; the CSRF token makes a forged form fail even where the cookie
 * would be sent, and the ticket carries "this user proved the password" from the password step to
 * the organisation picker without server state.
 */
export class FormSecurity {
  constructor(
    private readonly key: string,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(...parts: string[]): string {
    return createHmac('sha256', this.key).update(parts.join('\0')).digest('base64url');
  }

  csrfToken(uid: string): string {
    return this.mac('csrf', uid);
  }

  csrfValid(uid: string, given: unknown): boolean {
    return typeof given === 'string' && safeEqual(given, this.csrfToken(uid));
  }

  ticket(uid: string, userId: string, ttlSeconds = 600): string {
    const exp = String(Math.floor(this.now() / 1000) + ttlSeconds);
    return `${userId}.${exp}.${this.mac('ticket', uid, userId, exp)}`;
  }

  /** The user id the ticket was issued for, if it is genuine, for this interaction and unexpired. */
  ticketUser(uid: string, given: unknown): string | undefined {
    if (typeof given !== 'string') return undefined;
    const [userId, exp, mac, ...rest] = given.split('.');
    if (rest.length || !userId || !exp || !mac || !safeEqual(mac, this.mac('ticket', uid, userId, exp))) return undefined;
    return Number(exp) * 1000 > this.now() ? userId : undefined;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Headers on every page. No script at all; styles only from our origin. `form-action` must list the
 * client's redirect origin: Chromium applies it to the redirects that follow a form submission, and
 * Approve/Deny end in a redirect to Okta's callback.
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self'",
      `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form posts.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** The origin of a URL suitable for a CSP source list, or nothing if it is not http(s). */
export function cspOrigin(uri: string | undefined): string[] {
  if (!uri) return [];
  try {
    const u = new URL(uri);
    return u.protocol === 'https:' || u.protocol === 'http:' ? [u.origin] : [];
  } catch {
    return [];
  }
}

/**
 * The address failed sign-ins are counted against. Behind the TLS-terminating ingress (an https public
 * URL) the socket peer is the proxy, so per-IP throttling would lock everyone out together: there the
 * last X-Forwarded-For entry — the one our proxy appended, which a client cannot forge — is used.
 */
export function clientIp(socketIp: string, forwardedFor: string | string[] | undefined, behindProxy: boolean): string {
  if (!behindProxy || forwardedFor === undefined) return socketIp;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter(Boolean);
  return hops.at(-1) ?? socketIp;
}
