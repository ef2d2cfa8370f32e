/**
 * Server-rendered pages for "Authenticate with Taskize Connect" (seed guide steps 3–4). No script
 * anywhere: the CSP forbids it. Every value is HTML-escaped once, by the template kit in ./html.
 */
import { type Html, errorBox, escapeHtml, hidden, html, pageDocument } from './html';

export { escapeHtml };

export const STYLESHEET_PATH = '/assets/connect.css';

function layout(title: string, body: Html): string {
  return pageDocument({ title, body, stylesheets: [STYLESHEET_PATH] });
}


export interface FormContext {
  uid: string;
  csrf: string;
}

export function emailPage(f: FormContext & { clientName: string; error?: string; email?: string }): string {
  return layout(
    'Sign in',
    html`<h1>Sign in to Taskize</h1>
<p class="muted">${f.clientName} wants to connect to your organisation’s Taskize account.</p>
${errorBox(f.error)}
<form method="post" action="/interaction/${f.uid}/email" novalidate>
${hidden('csrf', f.csrf)}
<div class="field"><label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${f.email ?? ''}"${f.error ? html` aria-describedby="form-error" aria-invalid="true"` : ''}></div>
<button type="submit">Continue</button>
</form>`,
  );
}

export function passwordPage(f: FormContext & { email: string; error?: string }): string {
  return layout(
    'Sign in',
    html`<h1>Enter your password</h1>
<p class="who">Signing in as <strong>${f.email}</strong></p>
${errorBox(f.error)}
<form method="post" action="/interaction/${f.uid}/password">
${hidden('csrf', f.csrf)}${hidden('email', f.email)}
<input type="email" name="username" autocomplete="username" value="${f.email}" hidden>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${f.error ? html` aria-describedby="form-error" aria-invalid="true"` : ''}></div>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function organisationPage(f: FormContext & { ticket: string; email: string; organisations: { id: string; name: string }[] }): string {
  return layout(
    'Choose an organisation',
    html`<h1>Choose an organisation</h1>
<p class="who">Signed in as <strong>${f.email}</strong></p>
<p>You are an administrator of several organisations. Which one should Okta provision?</p>
<ul class="orgs">${f.organisations.map(
      (o) => html`<li><form method="post" action="/interaction/${f.uid}/organisation">${hidden('csrf', f.csrf)}${hidden('ticket', f.ticket)}${hidden('organisationId', o.id)}<button type="submit" class="secondary">${o.name}</button></form></li>`,
    )}</ul>`,
  );
}

export function consentPage(f: FormContext & { clientName: string; organisationName: string; email: string }): string {
  return layout(
    'Permissions requested',
    html`<h1>Permissions requested</h1>
<h2>${f.clientName}</h2>
<p>This app would like to:</p>
<ul class="permissions"><li>Manage Users and Groups</li></ul>
<p class="who">Organisation: <strong>${f.organisationName}</strong><br>Signed in as <strong>${f.email}</strong></p>
<div class="actions">
<form method="post" action="/interaction/${f.uid}/deny">${hidden('csrf', f.csrf)}<button type="submit" class="secondary">Deny</button></form>
<form method="post" action="/interaction/${f.uid}/confirm">${hidden('csrf', f.csrf)}<button type="submit">Approve</button></form>
</div>`,
  );
}

/** A dead end inside a live interaction: the only way on is back to Okta with access_denied. */
export function problemPage(f: FormContext & { title: string; message: string; clientName: string }): string {
  return layout(
    f.title,
    html`<h1>${f.title}</h1>
<p>${f.message}</p>
<form method="post" action="/interaction/${f.uid}/abort">${hidden('csrf', f.csrf)}<button type="submit">Return to ${f.clientName}</button></form>`,
  );
}

/** No interaction to return to (expired, unknown, or an OAuth error oidc-provider renders). */
export function errorPage(f: { title: string; message: string; code?: string }): string {
  return layout(
    f.title,
    html`<h1>${f.title}</h1>
<p>${f.message}</p>
${f.code ? html`<p class="muted">Error code: <code>${f.code}</code></p>` : ''}`,
  );
}
