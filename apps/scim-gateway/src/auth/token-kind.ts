const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Tells a JWT access token from an opaque SCIM bearer token: three base64url segments whose first
 * decodes to a JSON object. The signature segment may be empty so that an unsigned (`alg: none`)
 * token is still judged — and refused — as a JWT rather than looked up as an opaque token.
 */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  if (!SEGMENT.test(header) || !SEGMENT.test(payload) || (signature !== '' && !SEGMENT.test(signature))) return false;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}
