/**
 * What must never reach a log line (issue 6): passwords, tokens, secrets, email addresses. Structured
 * fields are removed by path (pino `redact`); free text — messages, URLs with a SCIM filter such as
 * `userName eq "ann@example.com"`, error details that quote a value — is scrubbed by pattern.
 */
const EMAIL_SOURCE = String.raw`[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+`;
const EMAIL = new RegExp(EMAIL_SOURCE, 'gu');
const HAS_EMAIL = new RegExp(EMAIL_SOURCE, 'u');
// Our opaque SCIM tokens (tzc_…), any Bearer/Basic credential, JWTs (three base64url segments).
const SECRETS: [RegExp, string][] = [
  [/\btzc_[A-Za-z0-9_-]+/g, 'tzc_[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[jwt]'],
  [/((?:password|secret|token|client_secret|code|refresh_token)=)[^&\s"]+/gi, '$1[redacted]'],
];

export function scrub(text: string): string {
  let out = text.replace(EMAIL, '[email]');
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  // A percent-encoded filter (`userName%20eq%20%22ann%40example.com%22`) hides the @ from the pattern.
  if (/%40/i.test(out)) {
    try {
      const decoded = decodeURIComponent(out);
      if (decoded !== out && HAS_EMAIL.test(decoded)) out = scrub(decoded);
    } catch {
      out = out.replace(/[^\s/&=?]*%40[^\s/&=?]*/gi, '[email]');
    }
  }
  return out;
}

/** pino `redact` paths: credentials in headers and any field that names a secret. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.client_secret',
  '*.refresh_token',
  '*.access_token',
  '*.email',
  '*.userName',
];
