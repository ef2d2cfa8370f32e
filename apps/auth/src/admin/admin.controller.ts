import { Controller, Get, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountsStore, normaliseEmail } from '../accounts/accounts.store';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../accounts/password';
import { ConnectionsStore } from '../connections/connections.store';
import { clientIp, FormSecurity } from '../interaction/form-security';
import { PageResponse, respondWithPage, sendStylesheet } from '../interaction/page-response';
import { PUBLIC_ORIGIN } from '../interaction/interaction.controller';
import { ThrottleStore } from '../interaction/throttle.store';
import { ScimTokensStore } from '../tokens/scim-tokens.store';
import { ADMIN_PATH, type AdminSession, AdminSessions, LOGIN_COOKIE, newLoginNonce, parseCookies, SESSION_COOKIE, setCookie } from './admin-session';
import { ADMIN_STYLESHEET_PATH, activityPage, adminErrorPage, consolePage, pickerPage, type Signed, signInPage } from './admin-views';
import { AdminStore } from './admin.store';
import type { Activity } from './activity-view';
import { DirectoryClient } from './directory.client';

const STYLESHEET = readFileSync(join(__dirname, 'views/admin.css'), 'utf8');
// The same wording as the OAuth sign-in: neither says whether the email exists.
const WRONG_CREDENTIALS = 'The email address or password is incorrect.';
const THROTTLED = 'Too many failed sign-ins. Wait 15 minutes and try again.';
const NOT_ADMIN = 'Only an enabled administrator of a Taskize organisation can use the admin console.';
const LOGIN_COOKIE_SECONDS = 3600;
const MAX_LABEL = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fixed messages for `?notice=` after a redirect: the query picks one, never supplies text. */
const NOTICES: Record<string, string> = {
  'token-revoked': 'The token was revoked. Clients using it are refused within a minute.',
  disconnected: 'The connection was removed. Okta can no longer provision until an administrator authenticates again.',
};

type Form = Record<string, string | undefined>;

interface Context extends Signed {
  session: AdminSession;
}

/**
 * The signed-in admin console: an enabled administrator manages their own organisation's Okta
 * connection and SCIM bearer tokens, and sees its provisioning activity. Tenant isolation: the
 * organisation comes from the signed session only; ids posted in forms are always matched together
 * with it, so another organisation's token or connection is never found.
 */
@Controller()
export class AdminController {
  private readonly log = new Logger('admin');

  constructor(
    private readonly accounts: AccountsStore,
    private readonly connections: ConnectionsStore,
    private readonly tokens: ScimTokensStore,
    private readonly store: AdminStore,
    private readonly throttle: ThrottleStore,
    private readonly forms: FormSecurity,
    private readonly sessions: AdminSessions,
    private readonly directory: DirectoryClient,
    @Inject(PUBLIC_ORIGIN) private readonly origin: string,
  ) {}

  @Get(ADMIN_STYLESHEET_PATH)
  stylesheet(@Res() reply: FastifyReply) {
    return sendStylesheet(reply, STYLESHEET);
  }

  @Get('admin/sign-in')
  async signInForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      if (await this.context(req)) return this.redirect(reply, ADMIN_PATH);
      return new PageResponse(200, signInPage({ csrf: this.loginCsrf(this.loginNonce(req, reply)) }));
    });
  }

  @Post('admin/sign-in')
  async signIn(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { form, nonce } = this.loginPost(req);
      const csrf = this.loginCsrf(nonce);
      const email = normaliseEmail(form['email'] ?? '');
      const password = form['password'] ?? '';
      const ip = clientIp(req.ip, req.headers['x-forwarded-for'], this.secure);
      if (await this.throttle.blocked(email, ip)) return new PageResponse(429, signInPage({ csrf, email, error: THROTTLED }));
      const user = email.includes('@') && email.length <= 320 ? await this.accounts.findUserByEmail(email) : undefined;
      // Unknown email: still one scrypt against a dummy hash, so the timing does not tell either.
      const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash())));
      if (!user || !ok) {
        await this.throttle.recordFailure(email, ip);
        return new PageResponse(401, signInPage({ csrf, email, error: WRONG_CREDENTIALS }));
      }
      await this.throttle.clearAccount(email);
      const admin = user.disabled ? [] : (await this.accounts.memberships(user.id)).filter((m) => m.role === 'admin');
      const [only, ...more] = admin;
      if (!only) {
        this.log.log({ msg: 'admin sign-in refused: not an enabled admin', userId: user.id });
        return new PageResponse(403, signInPage({ csrf, email, error: NOT_ADMIN }));
      }
      if (more.length) {
        return new PageResponse(200, pickerPage({ csrf, ticket: this.forms.ticket(loginScope(nonce), user.id), email: user.email, organisations: admin.map((m) => ({ id: m.organisationId, name: m.name })) }));
      }
      return this.startSession(reply, only.organisationId, user.id);
    });
  }

  @Post('admin/sign-in/organisation')
  async pickOrganisation(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { form, nonce } = this.loginPost(req);
      const userId = this.forms.ticketUser(loginScope(nonce), form['ticket']);
      if (!userId) return new PageResponse(400, adminErrorPage({ title: 'Sign-in expired', message: 'Your sign-in has expired. Sign in again.', code: 'expired' }));
      const organisationId = form['organisationId'] ?? '';
      // The ticket proves the password; the organisation must still be one this user administers.
      if (!(await this.isEnabledAdmin(organisationId, userId))) return new PageResponse(403, signInPage({ csrf: this.loginCsrf(nonce), error: NOT_ADMIN }));
      return this.startSession(reply, organisationId, userId);
    });
  }

  @Post('admin/sign-out')
  async signOut(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const ctx = await this.context(req);
      if (ctx) this.checkSessionPost(req, ctx);
      void reply.header('set-cookie', setCookie(SESSION_COOKIE, '', { path: ADMIN_PATH, secure: this.secure, maxAgeSeconds: 0 }));
      return this.redirect(reply, '/admin/sign-in');
    });
  }

  @Get('admin')
  async console(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('notice') notice?: string) {
    return this.respond(reply, async () => {
      const ctx = await this.requireSession(req, reply);
      if (!ctx) return undefined;
      return new PageResponse(200, await this.consoleView(ctx, { notice: notice ? NOTICES[notice] : undefined }));
    });
  }

  @Post('admin/tokens')
  async createToken(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const ctx = await this.requireSession(req, reply);
      if (!ctx) return undefined;
      const form = this.checkSessionPost(req, ctx);
      const label = (form['label'] ?? '').trim().slice(0, MAX_LABEL);
      if (!label) return new PageResponse(400, await this.consoleView(ctx, { error: 'Give the token a label, such as the identity provider it is for.' }));
      const { id, token } = await this.tokens.create(ctx.session.organisationId, label);
      this.log.log({ msg: 'scim token created', organisationId: ctx.session.organisationId, tokenId: id, by: ctx.session.userId });
      // Shown in this response only (no-store): only its hash is kept.
      return new PageResponse(200, await this.consoleView(ctx, { newToken: { label, token } }));
    });
  }

  @Post('admin/tokens/revoke')
  async revokeToken(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const ctx = await this.requireSession(req, reply);
      if (!ctx) return undefined;
      const form = this.checkSessionPost(req, ctx);
      const tokenId = form['tokenId'] ?? '';
      const revoked = UUID.test(tokenId) && (await this.store.revokeToken(ctx.session.organisationId, tokenId));
      if (!revoked) return new PageResponse(404, await this.consoleView(ctx, { error: 'That token does not exist or was already revoked.' }));
      this.log.log({ msg: 'scim token revoked', organisationId: ctx.session.organisationId, tokenId, by: ctx.session.userId });
      return this.redirect(reply, '/admin?notice=token-revoked');
    });
  }

  @Post('admin/connections/disconnect')
  async disconnect(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const ctx = await this.requireSession(req, reply);
      if (!ctx) return undefined;
      const form = this.checkSessionPost(req, ctx);
      const grantId = form['grantId'] ?? '';
      const done = /^[A-Za-z0-9_-]{1,64}$/.test(grantId) && (await this.connections.disconnect(ctx.session.organisationId, grantId));
      if (!done) return new PageResponse(404, await this.consoleView(ctx, { error: 'That connection does not exist or was already removed.' }));
      this.log.log({ msg: 'connection disconnected', organisationId: ctx.session.organisationId, grantId, by: ctx.session.userId });
      return this.redirect(reply, '/admin?notice=disconnected');
    });
  }

  @Get('admin/activity')
  async activity(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const ctx = await this.requireSession(req, reply);
      if (!ctx) return undefined;
      const organisationId = ctx.session.organisationId;
      const [connections, activity] = await Promise.all([
        this.connections.list(organisationId),
        this.directory.activity(organisationId).catch((error: unknown): Activity | undefined => {
          // The console stays usable when the directory is down; the page says activity is unavailable.
          this.log.warn({ msg: 'directory activity unavailable', organisationId, err: error instanceof Error ? error.message : String(error) });
          return undefined;
        }),
      ]);
      return new PageResponse(activity ? 200 : 503, activityPage({ ...this.signed(ctx), connected: connections.length > 0, activity }));
    });
  }

  private get secure(): boolean {
    return this.origin.startsWith('https:');
  }

  private async consoleView(ctx: Context, extra: { notice?: string; error?: string; newToken?: { label: string; token: string } }): Promise<string> {
    const organisationId = ctx.session.organisationId;
    const [connections, tokens] = await Promise.all([this.connections.list(organisationId), this.store.liveTokens(organisationId)]);
    return consolePage({ ...this.signed(ctx), connections, tokens, ...extra });
  }

  private signed(ctx: Context): Signed {
    return { csrf: ctx.csrf, email: ctx.email, organisationName: ctx.organisationName };
  }

  private async startSession(reply: FastifyReply, organisationId: string, userId: string): Promise<undefined> {
    const session = this.sessions.start(organisationId, userId);
    this.log.log({ msg: 'admin signed in', organisationId, userId });
    void reply.header('set-cookie', [
      setCookie(SESSION_COOKIE, this.sessions.seal(session), { path: ADMIN_PATH, secure: this.secure, maxAgeSeconds: this.sessions.lifetimes.idleSeconds }),
      setCookie(LOGIN_COOKIE, '', { path: '/admin/sign-in', secure: this.secure, maxAgeSeconds: 0 }),
    ]);
    return this.redirect(reply, ADMIN_PATH);
  }

  private async isEnabledAdmin(organisationId: string, userId: string): Promise<boolean> {
    const user = await this.accounts.findUser(userId);
    if (!user || user.disabled) return false;
    return (await this.accounts.memberships(userId)).some((m) => m.organisationId === organisationId && m.role === 'admin');
  }

  /** The signed-in admin, re-checked on every request: a disabled or demoted user is out at once. */
  private async context(req: FastifyRequest): Promise<Context | undefined> {
    const session = this.sessions.open(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    if (!session) return undefined;
    const user = await this.accounts.findUser(session.userId);
    if (!user || user.disabled) return undefined;
    const membership = (await this.accounts.memberships(session.userId)).find((m) => m.organisationId === session.organisationId && m.role === 'admin');
    if (!membership) return undefined;
    return { session, email: user.email, organisationName: membership.name, csrf: this.forms.csrfToken(sessionScope(session)) };
  }

  /** The session, its idle lifetime renewed; or a redirect to the sign-in page. */
  private async requireSession(req: FastifyRequest, reply: FastifyReply): Promise<Context | undefined> {
    const ctx = await this.context(req);
    if (!ctx) {
      this.redirect(reply, '/admin/sign-in');
      return undefined;
    }
    void reply.header('set-cookie', setCookie(SESSION_COOKIE, this.sessions.seal(ctx.session), { path: ADMIN_PATH, secure: this.secure, maxAgeSeconds: this.sessions.lifetimes.idleSeconds }));
    return ctx;
  }

  private loginNonce(req: FastifyRequest, reply: FastifyReply): string {
    const existing = parseCookies(req.headers.cookie)[LOGIN_COOKIE];
    // Kept across reloads so two open sign-in tabs do not invalidate each other's forms.
    const nonce = existing && /^[A-Za-z0-9_-]{22}$/.test(existing) ? existing : newLoginNonce();
    void reply.header('set-cookie', setCookie(LOGIN_COOKIE, nonce, { path: '/admin/sign-in', secure: this.secure, maxAgeSeconds: LOGIN_COOKIE_SECONDS }));
    return nonce;
  }

  private loginCsrf(nonce: string): string {
    return this.forms.csrfToken(loginScope(nonce));
  }

  /**
   * Sign-in POSTs: same origin, and a CSRF token bound to the login cookie (login CSRF: another site
   * must not sign this browser in to an account of its choosing).
   */
  private loginPost(req: FastifyRequest): { form: Form; nonce: string } {
    this.checkOrigin(req);
    const form = formOf(req);
    const nonce = parseCookies(req.headers.cookie)[LOGIN_COOKIE];
    if (!nonce || !this.forms.csrfValid(loginScope(nonce), form['csrf'])) throw blocked();
    return { form, nonce };
  }

  private checkSessionPost(req: FastifyRequest, ctx: Context): Form {
    this.checkOrigin(req);
    const form = formOf(req);
    if (!this.forms.csrfValid(sessionScope(ctx.session), form['csrf'])) throw blocked();
    return form;
  }

  private checkOrigin(req: FastifyRequest): void {
    const origin = req.headers['origin'];
    if (origin !== undefined && origin !== this.origin) {
      throw new PageResponse(403, adminErrorPage({ title: 'Request blocked', message: 'This form was sent from another site.', code: 'cross_site_request' }));
    }
  }

  private redirect(reply: FastifyReply, location: string): undefined {
    void reply.status(303).headers({ location, 'cache-control': 'no-store' }).send();
    return undefined;
  }

  private respond(reply: FastifyReply, fn: () => Promise<PageResponse | undefined>) {
    return respondWithPage(reply, fn, (error) => {
      this.log.error({ msg: 'admin console failed', err: error instanceof Error ? { message: error.message, stack: error.stack } : error });
      return new PageResponse(500, adminErrorPage({ title: 'Something went wrong', message: 'Try again in a minute.', code: 'server_error' }));
    });
  }
}

const loginScope = (nonce: string) => `admin-login:${nonce}`;
const sessionScope = (s: AdminSession) => `admin-session:${s.sid}`;
const formOf = (req: FastifyRequest): Form => (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
const blocked = () => new PageResponse(403, adminErrorPage({ title: 'Request blocked', message: 'This form has expired or was not sent from this page. Go back, reload and try again.', code: 'invalid_csrf_token' }));
