import { scrub } from './redact';

describe('scrub', () => {
  it.each([
    ['an email in a message', 'userName "ann.lee+x@example.co.uk" is already taken', 'userName "[email]" is already taken'],
    ['a percent-encoded SCIM filter in a URL', '/scim/v2/Users?filter=userName%20eq%20%22ann%40example.com%22', '/scim/v2/Users?filter=userName eq "[email]"'],
    ['an opaque SCIM token', 'resolving tzc_AbC-123_xyz failed', 'resolving tzc_[redacted] failed'],
    ['a bearer credential', 'Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [redacted]'],
    ['a JWT on its own', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln rejected', 'token [jwt] rejected'],
    ['form secrets', 'client_secret=s3cr3t&code=abc&grant_type=authorization_code', 'client_secret=[redacted]&code=[redacted]&grant_type=authorization_code'],
    ['a unicode email', 'für jürgen@exämple.de', 'für [email]'],
  ])('removes %s', (_what, input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each(['POST /scim/v2/Users 201', 'group 5f0c… has 3 members', 'version 4 @ partition 2'])('leaves %j alone', (text) => {
    expect(scrub(text)).toBe(text);
  });
});
