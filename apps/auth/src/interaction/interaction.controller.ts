import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAccountId, toAccountId } from '../accounts/account-id';
import { AccountsStore, normaliseEmail, planQualifies } from '../accounts/accounts.store';
import { dummyPasswordHash, MAX_PASSWORD_LENGTH, verifyPassword } from '../accounts/password';
import { ConnectionsStore } from '../connections/connections.store';
import { expiredError } from '../oidc/configuration';
import { type InteractionDetails, OIDC_PROVIDER, type OidcProvider } from '../oidc/oidc.types';
import { clientIp, cspOrigin, FormSecurity } from './form-security';
import { PageResponse, respondWithPage, sendStylesheet } from './page-response';
import { ThrottleStore } from './throttle.store';
import { metrics } from '@taskize/observability';

/** Sign-in outcomes on /metrics (auth_interactions_total): no email or tenant as label, only the result. */
const signIn = (result: 'success' | 'failure' | 'throttled' | 'disabled') => metrics.interactions().inc({ step: 'sign_in', result });
import { consentPage, emailPage, errorPage, organisationPage, passwordPage, problemPage, STYLESHEET_PATH } from './views';

export const PUBLIC_ORIGIN = Symbol('PUBLIC_ORIGIN');

const STYLESHEET = readFileSync(join(__dirname, 'views/connect.css'), 'utf8');
const WRONG_CREDENTIALS = 'The email address or password is incorrect.';
const THROTTLED = 'Too many failed sign-ins. Wait 15 minutes and try again.';

type Form = Record<string, string | undefined>;
type Step = 'login' | 'consent';


/**
 * "Authenticate with Taskize Connect" (seed guide steps 3–4), on oidc-provider's interaction model:
 * email → password → organisation (when admin of several) → consent. The tenant comes from the
 * organisation the signed-in administrator picks, never from the OAuth client (shared by all).
 */
@Controller()
export class InteractionController {
  private readonly log = new Logger('interaction');

  constructor(
    @Inject(OIDC_PROVIDER) private readonly provider: OidcProvider,
    private readonly accounts: AccountsStore,
    private readonly connections: ConnectionsStore,
    private readonly throttle: ThrottleStore,
    private readonly forms: FormSecurity,
    @Inject(PUBLIC_ORIGIN) private readonly origin: string,
  ) {}

  @Get(STYLESHEET_PATH)
  stylesheet(@Res() reply: FastifyReply) {
    return sendStylesheet(reply, STYLESHEET);
  }

  @Get('interaction/:uid')
  async show(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const details = await this.details(req, reply, uid);
      const targets = this.targets(details);
      if (details.prompt.name === 'login') return new PageResponse(200, emailPage({ ...this.form(uid), clientName: await this.clientName(details) }), targets);
      if (details.prompt.name === 'consent') return this.consent(details, targets);
      throw new Error(`unexpected prompt ${details.prompt.name}`);
    });
  }

  @Post('interaction/:uid/email')
  async email(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { details, form } = await this.post(req, reply, uid, 'login');
      const email = normaliseEmail(form['email'] ?? '');
      if (!email.includes('@') || email.length > 320) {
        return new PageResponse(400, emailPage({ ...this.form(uid), clientName: await this.clientName(details), email, error: 'Enter your email address, like name@example.com.' }), this.targets(details));
      }
      // Always the password step, known email or not: this page must not reveal which emails exist.
      return new PageResponse(200, passwordPage({ ...this.form(uid), email }), this.targets(details));
    });
  }

  @Post('interaction/:uid/password')
  async password(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { details, form } = await this.post(req, reply, uid, 'login');
      const targets = this.targets(details);
      const email = normaliseEmail(form['email'] ?? '');
      const password = form['password'] ?? '';
      const ip = clientIp(req.ip, req.headers['x-forwarded-for'], this.origin.startsWith('https:'));
      if (await this.throttle.blocked(email, ip)) {
        signIn('throttled');
        return new PageResponse(429, passwordPage({ ...this.form(uid), email, error: THROTTLED }), targets);
      }
      const user = await this.accounts.findUserByEmail(email);
      const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash())));
      if (!user || !ok) {
        await this.throttle.recordFailure(email, ip);
        signIn('failure');
        return new PageResponse(401, passwordPage({ ...this.form(uid), email, error: WRONG_CREDENTIALS }), targets);
      }
      await this.throttle.clearAccount(email);
      const clientName = await this.clientName(details);
      signIn(user.disabled ? 'disabled' : 'success');
      if (user.disabled) return this.problem(uid, clientName, targets, 'Your account is disabled', 'Your Taskize account has been disabled, so it cannot connect Okta. Ask an administrator of your organisation to re-enable it.');
      const admin = (await this.accounts.memberships(user.id)).filter((m) => m.role === 'admin');
      const [only, ...more] = admin;
      if (!only && (await this.accounts.deactivatedInDirectory(user.id))) {
        // Issue 5 item 7: the organisation's identity provider deactivated (or deleted) this person.
        return this.problem(uid, clientName, targets, 'Your account is deactivated', "Your organisation's identity provider has deactivated you in Taskize, so you cannot connect Okta. Ask an administrator of your identity provider to reactivate you.");
      }
      if (!only) return this.notAdmin(uid, clientName, targets);
      if (more.length) {
        return new PageResponse(200, organisationPage({ ...this.form(uid), ticket: this.forms.ticket(uid, user.id), email: user.email, organisations: admin.map((m) => ({ id: m.organisationId, name: m.name })) }), targets);
      }
      return this.login(req, reply, uid, only.organisationId, user.id, clientName, targets);
    });
  }

  @Post('interaction/:uid/organisation')
  async organisation(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { details, form } = await this.post(req, reply, uid, 'login');
      const userId = this.forms.ticketUser(uid, form['ticket']);
      if (!userId) throw new PageResponse(400, errorPage(expiredError));
      return this.login(req, reply, uid, form['organisationId'] ?? '', userId, await this.clientName(details), this.targets(details));
    });
  }

  @Post('interaction/:uid/confirm')
  async confirm(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      const { details } = await this.post(req, reply, uid, 'consent');
      const accountId = details.session?.accountId ?? '';
      const ref = parseAccountId(accountId);
      const clientId = details.params.client_id ?? '';
      if (!ref || !(await this.accounts.activeAdmin(ref.organisationId, ref.userId))) return this.notAdmin(uid, await this.clientName(details), this.targets(details));
      const grant = new this.provider.Grant({ accountId, clientId });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      const replaced = await this.connections.replace({ grantId, organisationId: ref.organisationId, clientId, userId: ref.userId });
      this.log.log({ msg: 'connection approved', organisationId: ref.organisationId, clientId, grantId, replaced });
      metrics.interactions().inc({ step: 'consent', result: 'approved' });
      return this.finish(req, reply, { consent: { grantId } });
    });
  }

  @Post('interaction/:uid/deny')
  async deny(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      await this.post(req, reply, uid, 'consent');
      metrics.interactions().inc({ step: 'consent', result: 'denied' });
      return this.finish(req, reply, { error: 'access_denied', error_description: 'the administrator denied the request' });
    });
  }

  /** The way back to Okta from every dead end (not an admin, plan, disabled): access_denied. */
  @Post('interaction/:uid/abort')
  async abort(@Param('uid') uid: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.respond(reply, async () => {
      await this.post(req, reply, uid);
      metrics.interactions().inc({ step: 'abort', result: 'access_denied' });
      return this.finish(req, reply, { error: 'access_denied', error_description: 'the signed-in user may not connect this organisation' });
    });
  }

  private async login(req: FastifyRequest, reply: FastifyReply, uid: string, organisationId: string, userId: string, clientName: string, targets: string[]) {
    const membership = (await this.accounts.memberships(userId)).find((m) => m.organisationId === organisationId);
    if (!membership || membership.role !== 'admin') return this.notAdmin(uid, clientName, targets);
    if (!planQualifies(membership.plan)) {
      return this.problem(uid, clientName, targets, 'Your plan does not include Okta provisioning', `${membership.name} is on the ${membership.plan} plan. Connecting Okta needs a Business plan or above; ask Taskize to upgrade it, then try again.`);
    }
    return this.finish(req, reply, { login: { accountId: toAccountId({ organisationId, userId }), remember: false } }, false);
  }

  private async consent(details: InteractionDetails, targets: string[]): Promise<PageResponse> {
    const ref = parseAccountId(details.session?.accountId ?? '');
    const admin = ref && (await this.accounts.activeAdmin(ref.organisationId, ref.userId));
    if (!admin) return this.notAdmin(details.uid, await this.clientName(details), targets);
    return new PageResponse(200, consentPage({ ...this.form(details.uid), clientName: await this.clientName(details), organisationName: admin.organisation.name, email: admin.email }), targets);
  }

  private notAdmin(uid: string, clientName: string, targets: string[]): PageResponse {
    return this.problem(uid, clientName, targets, 'You are not an administrator', 'Only an administrator of your organisation in Taskize can connect Okta. Ask one of them to click "Authenticate with Taskize Connect" in Okta.');
  }

  private problem(uid: string, clientName: string, targets: string[], title: string, message: string): PageResponse {
    return new PageResponse(403, problemPage({ ...this.form(uid), clientName, title, message }), targets);
  }

  private async finish(req: FastifyRequest, reply: FastifyReply, result: Parameters<OidcProvider['interactionResult']>[2], merge = true): Promise<PageResponse | undefined> {
    const location = await this.provider.interactionResult(req.raw, reply.raw, result, { mergeWithLastSubmission: merge });
    void reply.status(303).headers({ location, 'cache-control': 'no-store' }).send();
    return undefined;
  }

  private async details(req: FastifyRequest, reply: FastifyReply, uid: string): Promise<InteractionDetails> {
    let details: InteractionDetails;
    try {
      details = await this.provider.interactionDetails(req.raw, reply.raw);
    } catch {
      // SessionNotFound: no cookie (another browser, a cross-site POST), expired or unknown uid.
      throw new PageResponse(400, errorPage(expiredError));
    }
    if (details.uid !== uid) throw new PageResponse(400, errorPage(expiredError));
    return details;
  }

  /** Every POST: same-origin (Origin header when the browser sends one), a live interaction, its CSRF token, the expected step. */
  private async post(req: FastifyRequest, reply: FastifyReply, uid: string, step?: Step): Promise<{ details: InteractionDetails; form: Form }> {
    const origin = req.headers['origin'];
    if (origin !== undefined && origin !== this.origin) throw new PageResponse(403, errorPage({ title: 'Request blocked', message: 'This form was sent from another site.', code: 'cross_site_request' }));
    const details = await this.details(req, reply, uid);
    const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Form;
    if (!this.forms.csrfValid(uid, form['csrf'])) throw new PageResponse(403, errorPage({ title: 'Request blocked', message: 'This form has expired or was not sent from this page. Go back and try again.', code: 'invalid_csrf_token' }));
    if (step && details.prompt.name !== step) throw new PageResponse(400, errorPage(expiredError));
    return { details, form };
  }

  private form(uid: string) {
    return { uid, csrf: this.forms.csrfToken(uid) };
  }

  private targets(details: InteractionDetails): string[] {
    return cspOrigin(details.params.redirect_uri);
  }

  private async clientName(details: InteractionDetails): Promise<string> {
    const client = details.params.client_id ? await this.provider.Client.find(details.params.client_id) : undefined;
    return client?.clientName ?? 'Okta';
  }

  private respond(reply: FastifyReply, fn: () => Promise<PageResponse | undefined>) {
    return respondWithPage(reply, fn, (error) => {
      this.log.error({ msg: 'interaction failed', err: error instanceof Error ? { message: error.message, stack: error.stack } : error });
      return new PageResponse(500, errorPage({ title: 'Something went wrong', message: 'Return to Okta and click "Authenticate with Taskize Connect" again.', code: 'server_error' }));
    });
  }
}
