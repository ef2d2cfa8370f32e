import { ScimErrors } from './errors';

/** Attribute names are case-insensitive (RFC 7643 §2.1): the body's own spelling of `name`, if present. */
export function findKey(body: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(body).find((k) => k.toLowerCase() === lower);
}

/**
 * `schemas` of a POST/PUT body: an array of strings that includes the resource's core schema
 * (compared case-insensitively). Other entries must be known — except, with
 * `ignoreUnknownExtensions`, extension URNs: Entra lists a custom extension
 * (urn:ietf:params:scim:schemas:extension:<name>:2.0:User) whenever an admin maps custom attributes,
 * and failing those users would stop their provisioning; their values are not stored. Another
 * resource's core schema, or a non-URN, is always a client mistake.
 */
export function checkResourceSchemas(body: Record<string, unknown>, opts: { core: string; known: readonly string[]; ignoreUnknownExtensions: boolean }): void {
  const key = findKey(body, 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (!Array.isArray(schemas) || !schemas.every((s): s is string => typeof s === 'string')) {
    throw ScimErrors.invalidValue(`schemas must be an array of schema URNs including "${opts.core}"`);
  }
  const known = opts.known.map((s) => s.toLowerCase());
  const lower = schemas.map((s) => s.toLowerCase());
  if (!lower.includes(opts.core.toLowerCase())) throw ScimErrors.invalidValue(`schemas must include "${opts.core}"`);
  const unknown = schemas.find((s) => {
    const l = s.toLowerCase();
    if (known.includes(l)) return false;
    const foreignCore = l.startsWith('urn:ietf:params:scim:schemas:core:');
    return foreignCore || !opts.ignoreUnknownExtensions || !l.startsWith('urn:');
  });
  if (unknown !== undefined) throw ScimErrors.invalidValue(`unsupported schema "${unknown}"`);
}
