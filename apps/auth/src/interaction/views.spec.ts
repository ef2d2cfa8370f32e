import { consentPage, emailPage, errorPage, escapeHtml, organisationPage, passwordPage, problemPage } from './views';

const f = { uid: 'uid-1', csrf: 'tok"en' };
const pages: [string, string][] = [
  ['email', emailPage({ ...f, clientName: 'Okta' })],
  ['password', passwordPage({ ...f, email: 'ada@example.com' })],
  ['organisation', organisationPage({ ...f, ticket: 't', email: 'ada@example.com', organisations: [{ id: 'o1', name: 'Acme' }] })],
  ['consent', consentPage({ ...f, clientName: 'Okta', organisationName: 'Acme Ltd', email: 'ada@example.com' })],
  ['problem', problemPage({ ...f, title: 'Not an administrator', message: 'm', clientName: 'Okta' })],
  ['error', errorPage({ title: 'Expired', message: 'm' })],
];

describe('interaction pages', () => {
  it.each(pages)('%s page has no script, no inline style and the brand', (_name, page) => {
    expect(page).not.toMatch(/<script|\son[a-z]+=|style=|javascript:/i);
    expect(page).toContain('Taskize Connect');
    expect(page).toContain('<html lang="en">');
  });

  it.each(pages.filter(([name]) => name !== 'error'))('%s page posts its forms with the CSRF token, escaped', (_name, page) => {
    expect(page).toContain('method="post"');
    expect(page).toContain('name="csrf" value="tok&quot;en"');
  });

  it('consent page has the wording of the seed guide, the organisation and the signed-in email', () => {
    const page = pages.find(([n]) => n === 'consent')![1];
    for (const text of ['Permissions requested', 'Okta', 'This app would like to:', 'Manage Users and Groups', 'Acme Ltd', 'ada@example.com', '>Deny<', '>Approve<']) expect(page).toContain(text);
  });

  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"onmouseover="x', '&quot;onmouseover=&quot;x'],
    ["O'Brien & Co", 'O&#39;Brien &amp; Co'],
  ])('escapes %p', (raw, escaped) => {
    expect(escapeHtml(raw)).toBe(escaped);
    expect(consentPage({ ...f, clientName: 'Okta', organisationName: raw, email: 'a@b' })).toContain(escaped);
  });
});
