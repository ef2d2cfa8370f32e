import { checkResourceSchemas, findKey } from './resource-schemas';
import { coerceAttributes, DEFAULT_LIMITS, isRecord } from './coerce-attributes';
import { ScimErrors } from './errors';
import type { GroupAttributes, GroupMember, StoredGroup } from './group.types';
import { GROUP_SCHEMA, SCHEMA_ENTRA_GROUP, SCHEMA_GROUP } from './schemas';

export const MAX_GROUP_DISPLAY_NAME_LENGTH = 255;
/** Member ids are our own UUIDs (36 chars); 64 leaves room without letting a client store arbitrary blobs. */
export const MAX_MEMBER_VALUE_LENGTH = 64;
/** Largest member list accepted in one POST/PUT body or one PATCH `replace members`. */
export const MAX_GROUP_MEMBERS = 100_000;

const KNOWN_SCHEMAS = [SCHEMA_GROUP, SCHEMA_ENTRA_GROUP];

/** displayName and externalId only: `members` is validated here, not by coerceAttributes (its 100-value cap). */
const SCALAR_ATTRIBUTES = GROUP_SCHEMA.attributes.filter((a) => a.name !== 'members');

// Entra lists its ADSCIM Group schema on POST /Groups; it carries nothing we store.
function checkSchemas(body: Record<string, unknown>): void {
  checkResourceSchemas(body, { core: SCHEMA_GROUP, known: KNOWN_SCHEMAS, ignoreUnknownExtensions: false });
}

/** A required, non-blank displayName of at most 255 characters (RFC 7643 §4.2 prose calls it REQUIRED). */
export function checkGroupDisplayName(value: unknown, path = 'displayName'): string {
  if (typeof value !== 'string' || value.trim() === '') throw ScimErrors.invalidValue(`${path} is required and must be a non-empty string`);
  if (value.length > MAX_GROUP_DISPLAY_NAME_LENGTH) {
    throw ScimErrors.invalidValue(`${path} is longer than ${MAX_GROUP_DISPLAY_NAME_LENGTH} characters`);
  }
  return value;
}

/** A member id: a non-empty string of at most 64 characters; anything else is invalidValue. */
export function checkMemberValue(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw ScimErrors.invalidValue(`${path} must be a non-empty string`);
  if (value.length > MAX_MEMBER_VALUE_LENGTH) {
    throw ScimErrors.invalidValue(`${path} is longer than ${MAX_MEMBER_VALUE_LENGTH} characters`);
  }
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ScimErrors.invalidValue(`${path} must be a string`);
  if (value.length > DEFAULT_LIMITS.maxStringLength) {
    throw ScimErrors.invalidValue(`${path} is longer than ${DEFAULT_LIMITS.maxStringLength} characters`);
  }
  return value;
}

/**
 * Validates one member object: `value` required; `display`, `type` ("User"/"Group", any case) and `$ref` optional;
 * null means absent (Entra sends `"$ref": null`). Unknown keys are dropped. Returns a new object.
 */
export function parseGroupMember(raw: unknown, path: string): GroupMember {
  if (!isRecord(raw)) throw ScimErrors.invalidValue(`${path} must be an object`);
  const get = (name: string): unknown => {
    const key = findKey(raw, name);
    return key === undefined ? undefined : raw[key];
  };
  const member: GroupMember = { value: checkMemberValue(get('value'), `${path}.value`) };
  const display = optionalString(get('display'), `${path}.display`);
  if (display !== undefined) member.display = display;
  const type = optionalString(get('type'), `${path}.type`);
  if (type !== undefined) {
    const lower = type.toLowerCase();
    if (lower === 'user') member.type = 'User';
    else if (lower === 'group') member.type = 'Group';
    else throw ScimErrors.invalidValue(`${path}.type must be "User" or "Group"`);
  }
  const ref = optionalString(get('$ref'), `${path}.$ref`);
  if (ref !== undefined) member.$ref = ref;
  return member;
}

/**
 * Validates a member list: an array (null means empty) of at most MAX_GROUP_MEMBERS member objects. Duplicate
 * values collapse to the first occurrence, since a member is either in the group or not.
 */
export function parseGroupMembers(raw: unknown, path = 'members'): GroupMember[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw ScimErrors.invalidValue(`${path} must be an array`);
  if (raw.length > MAX_GROUP_MEMBERS) throw ScimErrors.invalidValue(`${path} has more than ${MAX_GROUP_MEMBERS} members`);
  const byValue = new Map<string, GroupMember>();
  raw.forEach((item: unknown, i) => {
    if (item === null) return;
    const member = parseGroupMember(item, `${path}[${i}]`);
    if (!byValue.has(member.value)) byValue.set(member.value, member);
  });
  return [...byValue.values()];
}

/**
 * Validates and normalises a POST/PUT /Groups body; throws only ScimError.
 *
 * - Attribute names are case-insensitive (RFC 7643 §2.1); `id` and `meta` are readOnly and ignored (Entra sends a
 *   client `meta` on create, Okta re-sends `id` on PUT).
 * - `members` absent or null stays absent; duplicate member values collapse to one.
 */
export function parseGroupBody(body: unknown): GroupAttributes {
  if (!isRecord(body)) throw ScimErrors.invalidSyntax('request body must be a JSON object');
  checkSchemas(body);
  const scalars = coerceAttributes(body, SCALAR_ATTRIBUTES);
  const group: GroupAttributes = { displayName: checkGroupDisplayName(scalars['displayName']) };
  const externalId = scalars['externalId'];
  if (typeof externalId === 'string') group.externalId = externalId;
  const membersKey = findKey(body, 'members');
  const rawMembers = membersKey === undefined ? undefined : body[membersKey];
  if (rawMembers !== undefined && rawMembers !== null) group.members = parseGroupMembers(rawMembers);
  return group;
}

/**
 * Renders a stored group as its SCIM resource (RFC 7643 §4.2, §3.1 meta). `members` is rendered only when loaded;
 * each member's `$ref` is derived from its type (User by default), never echoed from the client.
 */
export function renderGroup(group: StoredGroup, opts: { baseUrl: string }): Record<string, unknown> {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const resource: Record<string, unknown> = { schemas: [SCHEMA_GROUP], id: group.id, displayName: group.displayName };
  if (group.externalId !== undefined && group.externalId !== null) resource['externalId'] = group.externalId;
  if (group.members !== undefined && group.members !== null) {
    resource['members'] = group.members.map((m) => {
      const out: Record<string, unknown> = { value: m.value };
      if (m.display !== undefined) out['display'] = m.display;
      if (m.type !== undefined) out['type'] = m.type;
      out['$ref'] = `${baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`;
      return out;
    });
  }
  resource['meta'] = {
    resourceType: 'Group',
    created: group.created,
    lastModified: group.lastModified,
    location: `${baseUrl}/Groups/${group.id}`,
    // RFC 7644 §3.14: weak ETag, the same string as the ETag header.
    version: `W/"${group.version}"`,
  };
  return resource;
}
