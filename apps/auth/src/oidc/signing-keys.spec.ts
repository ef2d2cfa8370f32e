import { generateKeyPairSync } from 'node:crypto';
import { parseSigningKeys } from './signing-keys';

const rsa = (kid: string) => ({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' });
const ec = (kid: string) => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' });
const publicOnly = (k: Record<string, unknown>) => Object.fromEntries(Object.entries(k).filter(([p]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(p)));

describe('parseSigningKeys', () => {
  const a = rsa('a');
  const b = ec('b');

  it('keeps the order: the first key signs, the rest are published for rotation', () => {
    expect(parseSigningKeys(JSON.stringify({ keys: [a, b] })).map((k) => k.kid)).toEqual(['a', 'b']);
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['no keys', JSON.stringify({ keys: [] }), 'at least one key'],
    ['a public key', JSON.stringify({ keys: [publicOnly(a)] }), 'not a private key'],
    ['a duplicate kid', JSON.stringify({ keys: [a, { ...rsa('x'), kid: 'a' }] }), 'not unique'],
    ['a symmetric key', JSON.stringify({ keys: [a, { kty: 'oct', k: 'AAAA', kid: 'o', alg: 'HS256' }] }), 'kty must be RSA or EC'],
    ['an RSA key for ES256', JSON.stringify({ keys: [{ ...a, alg: 'ES256' }] }), 'alg must be RS256'],
    ['no kid', JSON.stringify({ keys: [{ ...a, kid: undefined }] }), 'kid is required'],
    ['only an EC key', JSON.stringify({ keys: [b] }), 'at least one RSA key'],
  ])('rejects %s', (_what, text, problem) => {
    expect(() => parseSigningKeys(text)).toThrow(problem);
  });
});
