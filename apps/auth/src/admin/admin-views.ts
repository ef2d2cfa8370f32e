import { type Html, errorBox, hidden, html, pageDocument } from '../interaction/html';
import { STYLESHEET_PATH } from '../interaction/views';
import { type Activity, formatTime, outcomeLabel } from './activity-view';

/**
 * The signed-in admin console (issue 5 item 5, issue 6 item 8). Same look as the sign-in pages
 * (their stylesheet first, then a few wider layouts of our own); no script anywhere (CSP); every
 * value is HTML-escaped once, by the shared template kit (interaction/html.ts).
 */
export const ADMIN_STYLESHEET_PATH = '/assets/admin.css';

export interface Signed {
  csrf: string;
  email: string;
  organisationName: string;
}

function layout(title: string, body: Html, signed?: Signed, current?: 'console' | 'activity'): string {
  const stylesheets = [STYLESHEET_PATH, ADMIN_STYLESHEET_PATH];
  if (!signed) return pageDocument({ title, body, stylesheets });
  const nav = html`<nav class="admin-nav" aria-label="Admin console">
<a href="/admin"${current === 'console' ? html` aria-current="page"` : ''}>Connection and tokens</a>
<a href="/admin/activity"${current === 'activity' ? html` aria-current="page"` : ''}>Provisioning activity</a>
<span class="who-inline">${signed.organisationName} · ${signed.email}</span>
<form method="post" action="/admin/sign-out">${hidden('csrf', signed.csrf)}<button type="submit" class="secondary small">Sign out</button></form>
</nav>`;
  return pageDocument({ title, body, stylesheets, bodyClass: 'admin', beforeMain: nav });
}

const noticeBox = (message?: string) => (message ? html`<div class="notice" role="status">${message}</div>` : '');

export function signInPage(f: { csrf: string; email?: string; error?: string }): string {
  const invalid = f.error ? html` aria-describedby="form-error" aria-invalid="true"` : '';
  return layout(
    'Admin sign-in',
    html`<h1>Sign in to the admin console</h1>
<p class="muted">For administrators of a Taskize organisation: connections, SCIM tokens and provisioning activity.</p>
${errorBox(f.error)}
<form method="post" action="/admin/sign-in">
${hidden('csrf', f.csrf)}
<div class="field"><label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${f.email ?? ''}"${invalid}></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}></div>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function pickerPage(f: { csrf: string; ticket: string; email: string; organisations: { id: string; name: string }[] }): string {
  return layout(
    'Choose an organisation',
    html`<h1>Choose an organisation</h1>
<p class="who">Signed in as <strong>${f.email}</strong></p>
<p>You are an administrator of several organisations. Which one do you want to manage?</p>
<ul class="orgs">${f.organisations.map(
      (o) => html`<li><form method="post" action="/admin/sign-in/organisation">${hidden('csrf', f.csrf)}${hidden('ticket', f.ticket)}${hidden('organisationId', o.id)}<button type="submit" class="secondary">${o.name}</button></form></li>`,
    )}</ul>`,
  );
}

export interface ConnectionView {
  grantId: string;
  clientName: string;
  approvedBy: string;
  createdAt: Date;
}

export interface TokenView {
  id: string;
  label: string | null;
  createdAt: Date;
}

export function consolePage(f: Signed & { connections: ConnectionView[]; tokens: TokenView[]; newToken?: { label: string; token: string }; notice?: string; error?: string }): string {
  const connections = f.connections.length
    ? html`<ul class="cards">${f.connections.map(
        (c) => html`<li class="card"><p><strong>Connected</strong> through ${c.clientName}</p>
<p class="muted">Approved by ${c.approvedBy} on ${formatTime(c.createdAt)}</p>
<form method="post" action="/admin/connections/disconnect">${hidden('csrf', f.csrf)}${hidden('grantId', c.grantId)}<button type="submit" class="danger" aria-label="Disconnect ${c.clientName}">Disconnect</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">Not connected. In Okta, click <strong>Authenticate with Taskize Connect</strong> in the app’s Provisioning tab.</p>`;
  const created = f.newToken
    ? html`<div class="new-token" role="status"><p><strong>New token “${f.newToken.label}”.</strong> Copy it now and paste it into your identity provider: it will not be shown again.</p>
<label for="new-token">SCIM bearer token</label>
<input id="new-token" type="text" readonly value="${f.newToken.token}" class="token">
</div>`
    : '';
  const tokens = f.tokens.length
    ? html`<div class="table-wrap"><table><caption class="visually-hidden">Live SCIM bearer tokens</caption>
<thead><tr><th scope="col">Label</th><th scope="col">Created</th><th scope="col">Token ID</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${f.tokens.map(
        (t) => html`<tr><td>${t.label ?? '(no label)'}</td><td>${formatTime(t.createdAt)}</td><td><code>${t.id.slice(0, 8)}</code></td>
<td><form method="post" action="/admin/tokens/revoke">${hidden('csrf', f.csrf)}${hidden('tokenId', t.id)}<button type="submit" class="danger small" aria-label="Revoke token ${t.label ?? t.id.slice(0, 8)}">Revoke</button></form></td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">No live tokens.</p>`;
  return layout(
    'Admin console',
    html`<h1>${f.organisationName}</h1>
${errorBox(f.error)}${noticeBox(f.notice)}
<section aria-labelledby="connection-h"><h2 id="connection-h">Okta connection</h2>
${connections}</section>
<section aria-labelledby="tokens-h"><h2 id="tokens-h">SCIM bearer tokens</h2>
<p class="muted">For clients without OAuth (Microsoft Entra ID, Okta custom apps). To rotate: create a new token, paste it into your identity provider, then revoke the old one.</p>
${created}${tokens}
<form method="post" action="/admin/tokens" class="inline-form">${hidden('csrf', f.csrf)}
<div class="field"><label for="label">Label for a new token</label>
<input id="label" name="label" type="text" maxlength="100" required placeholder="e.g. Entra ID production"></div>
<button type="submit">Create token</button></form></section>`,
    f,
    'console',
  );
}

export function activityPage(f: Signed & { connected: boolean; activity?: Activity }): string {
  const a = f.activity;
  const summary = a
    ? html`<dl class="stats">
<div><dt>Last successful request</dt><dd>${formatTime(a.lastSuccessAt)}</dd></div>
<div><dt>Requests, last ${a.totals.windowHours} h</dt><dd>${a.totals.requests}</dd></div>
<div><dt>Errors, last ${a.totals.windowHours} h</dt><dd${a.totals.errors ? html` class="bad"` : ''}>${a.totals.errors}</dd></div>
<div><dt>Okta connection</dt><dd>${f.connected ? 'Connected' : 'Not connected'}</dd></div>
</dl>`
    : html`<div class="error" role="alert">Provisioning activity is unavailable right now. Try again in a minute.</div>`;
  const rows = a?.requests.length
    ? html`<div class="table-wrap"><table><caption class="visually-hidden">Recent provisioning requests, newest first</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Request</th><th scope="col">Outcome</th><th scope="col">Events produced</th></tr></thead>
<tbody>${a.requests.map((r) => {
        const o = outcomeLabel(r.status);
        return html`<tr><td>${formatTime(r.processedAt)}</td><td>${r.eventType}<br><code class="muted">${r.eventId}</code></td>
<td class="${o.ok ? 'good' : 'bad'}">${o.text}</td>
<td>${r.events.length ? html`<ul class="events">${r.events.map((e) => html`<li>${e.eventType} <code>${e.resourceId}</code> v${e.version}</li>`)}</ul>` : html`<span class="muted">none</span>`}</td></tr>`;
      })}</tbody></table></div>`
    : a
      ? html`<p class="muted">No provisioning requests yet. When your identity provider pushes a user or group, it appears here.</p>`
      : '';
  return layout(
    'Provisioning activity',
    html`<h1>Provisioning activity</h1>
<p class="muted">Did your identity provider’s push arrive? The most recent SCIM requests for ${f.organisationName}, their outcome and the identity events they produced.</p>
${summary}
${a ? html`<h2>Recent requests</h2>` : ''}
${rows}`,
    f,
    'activity',
  );
}

/** A page outside the console (session expired, request blocked). */
export function adminErrorPage(f: { title: string; message: string; code?: string }): string {
  return layout(
    f.title,
    html`<h1>${f.title}</h1>
<p>${f.message}</p>
${f.code ? html`<p class="muted">Error code: <code>${f.code}</code></p>` : ''}
<p><a href="/admin/sign-in">Sign in to the admin console</a></p>`,
  );
}
