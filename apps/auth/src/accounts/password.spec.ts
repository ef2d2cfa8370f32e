import { dummyPasswordHash, hashPassword, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword('correct horse battery staple');
  });

  it('stores parameters, salt and key, never the password', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain('horse');
  });

  it.each([
    ['the same password', 'correct horse battery staple', true],
    ['another password', 'correct horse battery stapler', false],
    ['a different case', 'Correct horse battery staple', false],
    ['the empty string', '', false],
  ])('verifies %s as %s', async (_what, candidate, expected) => {
    await expect(verifyPassword(candidate, stored)).resolves.toBe(expected);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('correct horse battery staple')).not.toBe(stored);
  });

  it.each(['', 'bcrypt$x', 'scrypt$0$8$1$AA$AA', 'scrypt$32768$8$1$$'])('rejects the malformed stored hash %p', async (bad) => {
    await expect(verifyPassword('anything', bad)).resolves.toBe(false);
  });

  it('has a dummy hash that no guess matches', async () => {
    await expect(verifyPassword('', await dummyPasswordHash())).resolves.toBe(false);
  });
});
