import { createHmac } from 'node:crypto';
import { AdminSessions, parseCookies, setCookie } from './admin-session';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';

function clock(startMs = 1_800_000_000_000) {
  let t = startMs;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

describe('AdminSessions', () => {
  it('opens a sealed session with the same organisation and user', () => {
    const sessions = new AdminSessions([KEY_A]);
    const s = sessions.start(ORG, USER);
    expect(sessions.open(sessions.seal(s))).toMatchObject({ sid: s.sid, organisationId: ORG, userId: USER });
  });

  it.each([
    ['29 min 59 s idle', [1799], true],
    ['30 min idle', [1800], false],
    ['active every 20 min for 7 h 40 min', Array.from({ length: 23 }, () => 1200), true],
    ['active every 20 min past 8 h (absolute lifetime)', Array.from({ length: 24 }, () => 1200), false],
  ])('after %s the session is valid: %s', (_name, gaps, valid) => {
    const c = clock();
    const sessions = new AdminSessions([KEY_A], undefined, c.now);
    let cookie = sessions.seal(sessions.start(ORG, USER));
    let open = sessions.open(cookie);
    for (const gap of gaps) {
      c.advance(gap);
      open = sessions.open(cookie);
      if (open) cookie = sessions.seal(open);
    }
    expect(open !== undefined).toBe(valid);
  });

  it('verifies cookies sealed with an older key still listed, and not once it is dropped', () => {
    const old = new AdminSessions([KEY_A]);
    const cookie = old.seal(old.start(ORG, USER));
    expect(new AdminSessions([KEY_B, KEY_A]).open(cookie)).toBeDefined();
    expect(new AdminSessions([KEY_B]).open(cookie)).toBeUndefined();
  });

  const sessions = new AdminSessions([KEY_A]);
  const good = sessions.seal(sessions.start(ORG, USER));
  const [payload, mac] = good.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify({ sid: 'x', organisationId: 'another-org', userId: USER, issuedAt: 1, lastSeen: 1 })).toString('base64url');
  it.each([
    ['no cookie', undefined],
    ['empty', ''],
    ['no mac', payload],
    ['a tampered payload with the original mac', `${forged}.${mac}`],
    ['a truncated mac', `${payload}.${mac.slice(1)}`],
    ['an extra part', `${good}.x`],
    ['a mac from the raw cookie key (oidc-provider’s kind)', `${payload}.${createHmac('sha256', KEY_A).update(payload).digest('base64url')}`],
  ])('refuses %s', (_name, value) => {
    expect(sessions.open(value)).toBeUndefined();
  });

  it('refuses to run without a key', () => {
    expect(() => new AdminSessions([])).toThrow();
  });
});

describe('parseCookies', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    ['a=1', { a: '1' }],
    ['a=1; b=x%20y', { a: '1', b: 'x y' }],
    ['a=1; a=2', { a: '1' }],
    ['=1; b', {}],
    ['a=%E0%A4%A', {}],
    ['a=x=y', { a: 'x=y' }],
  ])('%j → %j', (header, expected) => {
    expect(parseCookies(header)).toEqual(expected);
  });
});

describe('setCookie', () => {
  it.each([
    [{ path: '/admin', secure: false, maxAgeSeconds: 1800 }, 'n=v%3B1; Path=/admin; Max-Age=1800; HttpOnly; SameSite=Lax'],
    [{ path: '/admin', secure: true, maxAgeSeconds: 1800 }, 'n=v%3B1; Path=/admin; Max-Age=1800; HttpOnly; SameSite=Lax; Secure'],
    [{ path: '/admin/sign-in', secure: false, maxAgeSeconds: 0 }, 'n=v%3B1; Path=/admin/sign-in; Max-Age=0; HttpOnly; SameSite=Lax'],
  ])('%j', (opts, expected) => {
    expect(setCookie('n', 'v;1', opts)).toBe(expected);
  });
});
