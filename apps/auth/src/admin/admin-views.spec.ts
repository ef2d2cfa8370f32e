import { activityPage, adminErrorPage, consolePage, pickerPage, signInPage } from './admin-views';

const EVIL = '<script>alert("x")</script>&\'';
const signed = { csrf: 'c"sr<f', email: EVIL, organisationName: EVIL };
const created = new Date('2026-11-29T10:00:00Z');

const pages: [string, string][] = [
  ['sign-in', signInPage({ csrf: 'c"sr<f', email: EVIL, error: EVIL })],
  ['organisation picker', pickerPage({ csrf: 'c"sr<f', ticket: EVIL, email: EVIL, organisations: [{ id: EVIL, name: EVIL }] })],
  [
    'console',
    consolePage({
      ...signed,
      connections: [{ grantId: EVIL, clientName: EVIL, approvedBy: EVIL, createdAt: created }],
      tokens: [{ id: '0123456789abcdef', label: EVIL, createdAt: created }],
      newToken: { label: EVIL, token: EVIL },
      error: EVIL,
    }),
  ],
  [
    'activity',
    activityPage({
      ...signed,
      connected: true,
      activity: {
        requests: [{ eventId: EVIL, eventType: EVIL, status: 201, processedAt: '2026-11-29T10:00:00Z', events: [{ eventType: EVIL, resourceId: EVIL, version: 1 }] }],
        totals: { windowHours: 24, requests: 1, errors: 0 },
        lastSuccessAt: null,
      },
    }),
  ],
  ['activity, directory unavailable', activityPage({ ...signed, connected: false })],
  ['error', adminErrorPage({ title: EVIL, message: EVIL, code: EVIL })],
];

describe('admin console pages', () => {
  it.each(pages)('%s escapes every value', (_name, page) => {
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });

  it.each(pages)('%s has no inline style or script attributes (CSP)', (_name, page) => {
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:/i);
  });

  it.each(pages.filter(([name]) => !['error', 'activity, directory unavailable'].includes(name)))('%s: every POST form carries the CSRF token', (_name, page) => {
    const forms = page.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) expect(form).toContain('<input type="hidden" name="csrf" value="c&quot;sr&lt;f">');
  });

  it.each([
    ['a live token by label, creation time and a short id', consolePage({ ...signed, connections: [], tokens: [{ id: '0123456789abcdef', label: 'Entra', createdAt: created }] }), ['Entra', '2026-11-29 10:00:00 UTC', '<code>01234567</code>', 'aria-label="Revoke token Entra"'], ['SCIM bearer token</label>']],
    ['no connection with the way to connect', consolePage({ ...signed, connections: [], tokens: [] }), ['Not connected', 'Authenticate with Taskize Connect', 'No live tokens.'], ['Disconnect']],
    ['a failed request as an error', activityPage({ ...signed, connected: true, activity: { requests: [{ eventId: 'e', eventType: 'UserCreated', status: 409, processedAt: '2026-11-29T10:00:00Z', events: [] }], totals: { windowHours: 24, requests: 1, errors: 1 }, lastSuccessAt: null } }), ['Rejected: already exists (409)', 'class="bad"', 'none'], ['No provisioning requests yet']],
  ])('shows %s', (_name, page, present, absent) => {
    for (const text of present) expect(page).toContain(text);
    for (const text of absent) expect(page).not.toContain(text);
  });
});
