import { looksLikeJwt } from './token-kind';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
const payload = b64({ sub: 'x' });

describe('looksLikeJwt', () => {
  it.each([
    ['a signed JWT', `${header}.${payload}.c2lnbmF0dXJl`],
    ['an unsigned JWT (empty signature), so that it is refused as a JWT', `${header}.${payload}.`],
    ['a header object with no alg (still a JWT, refused by verification)', `${b64({})}.${payload}.c2ln`],
  ])('treats %s as a JWT', (_, token) => {
    expect(looksLikeJwt(token)).toBe(true);
  });

  it.each([
    ['an opaque SCIM token', 'tzc_4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e'],
    ['three segments whose header is not JSON', 'abc.def.ghi'],
    ['a header that is JSON but not an object', `${b64('[1,2]')}.${payload}.c2ln`],
    ['a header that is a JSON string', `${b64('"alg"')}.${payload}.c2ln`],
    ['two segments', `${header}.${payload}`],
    ['four segments', `${header}.${payload}.c2ln.c2ln`],
    ['an empty payload segment', `${header}..c2ln`],
    ['standard base64 padding instead of base64url', `${header}=.${payload}.c2ln`],
  ])('treats %s as opaque', (_, token) => {
    expect(looksLikeJwt(token)).toBe(false);
  });
});
