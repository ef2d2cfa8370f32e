import { checkResourceSchemas, findKey } from './resource-schemas';
import { coerceAttributes, isRecord } from './coerce-attributes';
import { ScimErrors } from './errors';
import { ENTERPRISE_USER_SCHEMA, SCHEMA_ENTERPRISE_USER, SCHEMA_USER, USER_SCHEMA } from './schemas';
import type { EnterpriseUser, StoredUser, UserAttributes } from './user.types';

export const MAX_USER_NAME_LENGTH = 255;

const KNOWN_SCHEMAS = [SCHEMA_USER, SCHEMA_ENTERPRISE_USER];

function checkSchemas(body: Record<string, unknown>): void {
  checkResourceSchemas(body, { core: SCHEMA_USER, known: KNOWN_SCHEMAS, ignoreUnknownExtensions: true });
}

function parseEnterprise(body: Record<string, unknown>): EnterpriseUser | undefined {
  const key = findKey(body, SCHEMA_ENTERPRISE_USER);
  const raw = key === undefined ? undefined : body[key];
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw ScimErrors.invalidValue(`${SCHEMA_ENTERPRISE_USER} must be an object`);
  // Entra sends the manager as a bare string id; normalise it to the RFC 7643 §4.3 complex form before validation.
  const managerKey = findKey(raw, 'manager');
  const input =
    managerKey !== undefined && typeof raw[managerKey] === 'string'
      ? { ...raw, [managerKey]: { value: raw[managerKey] } }
      : raw;
  const enterprise = coerceAttributes(input, ENTERPRISE_USER_SCHEMA.attributes, { path: SCHEMA_ENTERPRISE_USER });
  return Object.keys(enterprise).length > 0 ? (enterprise as EnterpriseUser) : undefined;
}

/**
 * Validates and normalises a POST/PUT /Users body into canonical UserAttributes; throws only ScimError.
 *
 * - Attribute names are matched case-insensitively (RFC 7643 §2.1) and come back in canonical spelling.
 * - `id`, `meta` and `groups` are readOnly and ignored (RFC 7644 §3.5.1); Okta re-sends all three on PUT.
 * - `password` is writeOnly and dropped unread: Taskize users sign in through the Taskize IdP, so a SCIM
 *   password would never be used, and storing one only creates a secret to leak (Okta sends one on create).
 * - Unknown attributes are dropped rather than rejected; the enterprise extension is accepted even when the
 *   client forgets to list its URN in `schemas`.
 */
export function parseUserBody(body: unknown): UserAttributes {
  if (!isRecord(body)) throw ScimErrors.invalidSyntax('request body must be a JSON object');
  checkSchemas(body);
  const core = coerceAttributes(body, USER_SCHEMA.attributes, { dropWriteOnly: true });
  const userName = core['userName'];
  if (typeof userName !== 'string' || userName.trim() === '') throw ScimErrors.invalidValue('userName is required');
  if (userName.length > MAX_USER_NAME_LENGTH) {
    throw ScimErrors.invalidValue(`userName is longer than ${MAX_USER_NAME_LENGTH} characters`);
  }
  const enterprise = parseEnterprise(body);
  const user = { ...core, userName, active: core['active'] ?? true } as UserAttributes;
  return enterprise === undefined ? user : { ...user, enterprise };
}

/** Attributes rendered from UserAttributes, in RFC 7643 §8.7.1 order; never id/meta (added here) or password. */
const RENDERED_ATTRIBUTES = USER_SCHEMA.attributes
  .map((a) => a.name)
  .filter((name) => !['id', 'meta', 'password', 'groups'].includes(name)) as (keyof UserAttributes)[];

/** Renders a stored user as its SCIM resource (RFC 7643 §4.1, §3.1 meta). Returns a new object; never `password`. */
export function renderUser(user: StoredUser, opts: { baseUrl: string }): Record<string, unknown> {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const { enterprise } = user.attributes;
  const resource: Record<string, unknown> = {
    schemas: enterprise === undefined ? [SCHEMA_USER] : [SCHEMA_USER, SCHEMA_ENTERPRISE_USER],
    id: user.id,
  };
  for (const name of RENDERED_ATTRIBUTES) {
    const value = user.attributes[name];
    if (value !== undefined && value !== null) resource[name] = structuredClone(value);
  }
  if (enterprise !== undefined) resource[SCHEMA_ENTERPRISE_USER] = renderEnterprise(enterprise);
  resource['meta'] = {
    resourceType: 'User',
    created: user.created,
    lastModified: user.lastModified,
    location: `${baseUrl}/Users/${user.id}`,
    // RFC 7644 §3.14: weak ETag; the same string is the ETag header and the If-Match token.
    version: `W/"${user.version}"`,
  };
  return resource;
}

function renderEnterprise(enterprise: EnterpriseUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of ENTERPRISE_USER_SCHEMA.attributes) {
    const value = enterprise[def.name as keyof EnterpriseUser];
    if (value === undefined || value === null) continue;
    if (def.name === 'manager' && typeof value === 'object') {
      // Entra cannot read a user whose manager is not the complex {value} form, whatever it sent.
      const manager: Record<string, string> = {};
      if (value.value !== undefined) manager['value'] = value.value;
      if (value.$ref !== undefined) manager['$ref'] = value.$ref;
      if (value.displayName !== undefined) manager['displayName'] = value.displayName;
      out['manager'] = manager;
    } else {
      out[def.name] = value;
    }
  }
  return out;
}
