import { FormSecurity, clientIp, cspOrigin, pageHeaders } from './form-security';

const KEY = 'x'.repeat(32);
const T0 = Date.parse('2026-11-29T12:00:00Z');

describe('FormSecurity', () => {
  const sec = new FormSecurity(KEY, () => T0);

  it.each([
    ['its own token', 'uid-a', sec.csrfToken('uid-a'), true],
    ["another interaction's token", 'uid-a', sec.csrfToken('uid-b'), false],
    ['a token made with another key', 'uid-a', new FormSecurity('y'.repeat(32)).csrfToken('uid-a'), false],
    ['nothing', 'uid-a', undefined, false],
    ['an array', 'uid-a', [sec.csrfToken('uid-a')], false],
  ])('csrfValid accepts %s: %s', (_what, uid, token, expected) => {
    expect(sec.csrfValid(uid, token)).toBe(expected);
  });

  const ticket = sec.ticket('uid-a', 'user-1', 600);
  it.each([
    ['its ticket', 'uid-a', ticket, T0, 'user-1'],
    ['the ticket in another interaction', 'uid-b', ticket, T0, undefined],
    ['an expired ticket', 'uid-a', ticket, T0 + 601_000, undefined],
    ['a ticket for another user', 'uid-a', ticket.replace('user-1', 'user-2'), T0, undefined],
    ['a ticket with a later expiry', 'uid-a', ticket.replace(/\.(\d+)\./, (_m, e: string) => `.${Number(e) + 1000}.`), T0, undefined],
    ['garbage', 'uid-a', 'a.b', T0, undefined],
  ])('ticketUser: %s', (_what, uid, given, now, expected) => {
    expect(new FormSecurity(KEY, () => now).ticketUser(uid, given)).toBe(expected);
  });
});

describe('pageHeaders', () => {
  it('forbids script and framing, never caches, and lets forms reach the redirect origin', () => {
    const h = pageHeaders(cspOrigin('https://system-admin.okta.com/admin/app/cpc/x/oauth/callback'));
    expect(h['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https://system-admin.okta.com; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(h['cache-control']).toBe('no-store');
  });

  it.each([undefined, 'javascript:alert(1)', 'not a url'])('adds no form target for %p', (uri) => {
    expect(cspOrigin(uri)).toEqual([]);
  });
});

describe('clientIp', () => {
  it.each([
    ['no proxy: the socket peer, whatever the header says', '10.0.0.9', '203.0.113.7', false, '10.0.0.9'],
    ['behind the proxy: the hop it appended', '10.0.0.9', '203.0.113.7', true, '203.0.113.7'],
    ['behind the proxy: a forged first hop is ignored', '10.0.0.9', '1.2.3.4, 203.0.113.7', true, '203.0.113.7'],
    ['behind the proxy, no header: the socket peer', '10.0.0.9', undefined, true, '10.0.0.9'],
    ['behind the proxy, repeated headers', '10.0.0.9', ['1.2.3.4', '198.51.100.2'], true, '198.51.100.2'],
  ])('%s', (_what, socket, header, behind, expected) => {
    expect(clientIp(socket, header, behind)).toBe(expected);
  });
});
