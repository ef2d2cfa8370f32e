import { readFileSync } from 'node:fs';

export interface PrivateJwk {
  kty: string;
  kid: string;
  alg?: string;
  use?: string;
  [param: string]: unknown;
}

/** Algorithms the gateway accepts (ADR 0003): asymmetric only. */
const ALG_FOR_KTY: Record<string, readonly string[]> = { RSA: ['RS256'], EC: ['ES256'] };
const PRIVATE_PARAM: Record<string, string> = { RSA: 'd', EC: 'd' };

export class SigningKeysError extends Error {}

/**
 * Reads the JWKS file (AUTH_SIGNING_KEYS_FILE): private keys, the first signs, the others stay
 * published in /oauth/jwks so tokens they signed verify until they expire (rotation, ADR 0003).
 * Problems are listed at once, as config problems are.
 */
export function parseSigningKeys(text: string, source = 'signing keys'): PrivateJwk[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SigningKeysError(`${source}: not JSON`);
  }
  const keys = (doc as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new SigningKeysError(`${source}: expected {"keys": [ … ]} with at least one key`);
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((k: Partial<PrivateJwk>, i) => {
    const where = `${source}: keys[${i}]`;
    const algs = ALG_FOR_KTY[k.kty ?? ''];
    if (!algs) problems.push(`${where}: kty must be RSA or EC`);
    else {
      if (!k.alg || !algs.includes(k.alg)) problems.push(`${where}: alg must be ${algs.join(' or ')}`);
      if (typeof k[PRIVATE_PARAM[k.kty ?? ''] ?? 'd'] !== 'string') problems.push(`${where}: not a private key`);
      if (k.kty === 'EC' && k['crv'] !== 'P-256') problems.push(`${where}: crv must be P-256`);
    }
    if (typeof k.kid !== 'string' || !k.kid) problems.push(`${where}: kid is required`);
    else if (kids.has(k.kid)) problems.push(`${where}: kid "${k.kid}" is not unique`);
    else kids.add(k.kid);
    if (k.use !== undefined && k.use !== 'sig') problems.push(`${where}: use must be sig`);
  });
  if (!keys.some((k: Partial<PrivateJwk>) => k.kty === 'RSA')) {
    // oidc-provider signs ID tokens with RS256 by default and fails every authorize request when no
    // RSA key exists (notes/okta-oauth.md); access tokens may still be ES256.
    problems.push(`${source}: at least one RSA key is required`);
  }
  if (problems.length) throw new SigningKeysError(problems.join('\n'));
  return keys as PrivateJwk[];
}

export function loadSigningKeys(file: string): PrivateJwk[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigningKeysError(`AUTH_SIGNING_KEYS_FILE ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseSigningKeys(text, `AUTH_SIGNING_KEYS_FILE ${file}`);
}
