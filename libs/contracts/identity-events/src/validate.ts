import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_TYPES, isIdentityEventType, type IdentityEventType } from './event-types';
import type { IdentityEvent, MemberState, ResourceState } from './envelope';
import groupDeleted from './schemas/group.deleted.v1.schema.json';
import groupPushed from './schemas/group.pushed.v1.schema.json';
import groupUpdated from './schemas/group.updated.v1.schema.json';
import memberState from './schemas/member-state.v1.schema.json';
import resourceState from './schemas/resource-state.v1.schema.json';
import userCreated from './schemas/user.created.v1.schema.json';
import userDeactivated from './schemas/user.deactivated.v1.schema.json';
import userDeleted from './schemas/user.deleted.v1.schema.json';
import userReactivated from './schemas/user.reactivated.v1.schema.json';
import userUpdated from './schemas/user.updated.v1.schema.json';

/** JSON Schema (draft-07) of each event type: envelope and data. The same files are referenced by docs/asyncapi.yaml. */
export const IDENTITY_EVENT_SCHEMAS: Record<IdentityEventType, object> = {
  [EVENT_TYPES.userCreated]: userCreated,
  [EVENT_TYPES.userUpdated]: userUpdated,
  [EVENT_TYPES.userDeactivated]: userDeactivated,
  [EVENT_TYPES.userReactivated]: userReactivated,
  [EVENT_TYPES.userDeleted]: userDeleted,
  [EVENT_TYPES.groupPushed]: groupPushed,
  [EVENT_TYPES.groupUpdated]: groupUpdated,
  [EVENT_TYPES.groupDeleted]: groupDeleted,
};

/** JSON Schemas of the two record kinds on the compacted state topic identity.state.v1. */
export const RESOURCE_STATE_SCHEMA: object = resourceState;
export const MEMBER_STATE_SCHEMA: object = memberState;

/** An event or state record that does not match its contract; `errors` lists every problem found. */
export class IdentityEventValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid identity event: ${errors.join('; ')}`);
    this.name = 'IdentityEventValidationError';
  }
}

// One Ajv instance, schemas compiled once at load. Formats asserted (date-time, uri) via ajv-formats: draft-07
// leaves format assertion optional, so every validator of these files should enable it too.
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const eventValidators = new Map<string, ValidateFunction>(
  Object.entries(IDENTITY_EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);
const resourceStateValidator = ajv.compile(resourceState);
const memberStateValidator = ajv.compile(memberState);

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const allowed = e.keyword === 'const' || e.keyword === 'enum' ? ` (${JSON.stringify(e.params)})` : '';
    return `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? e.keyword}${allowed}`;
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The id of the resource as named inside `data`, which must equal `subject` (not expressible in JSON Schema). */
function dataResourceId(data: Record<string, unknown>): unknown {
  if (isRecord(data['user'])) return data['user']['id'];
  if (isRecord(data['group'])) return data['group']['id'];
  return data['id'];
}

/** Checks a decoded value against the schema of its `type`; returns it typed, or throws IdentityEventValidationError. */
export function validateIdentityEvent(raw: unknown): IdentityEvent {
  if (!isRecord(raw)) throw new IdentityEventValidationError(['/ must be a JSON object']);
  const type = raw['type'];
  if (!isIdentityEventType(type)) throw new IdentityEventValidationError([`/type is not a known identity event type: ${JSON.stringify(type) ?? 'undefined'}`]);
  const validate = eventValidators.get(type);
  if (validate === undefined || !validate(raw)) throw new IdentityEventValidationError(describe(validate?.errors));
  const dataId = dataResourceId(raw['data'] as Record<string, unknown>);
  if (dataId !== raw['subject']) throw new IdentityEventValidationError([`/subject ${String(raw['subject'])} is not the resource id in data (${String(dataId)})`]);
  return raw as unknown as IdentityEvent;
}

function decodeJson(value: string | Buffer | null | undefined): unknown {
  if (value === null || value === undefined) throw new IdentityEventValidationError(['empty message']);
  try {
    return JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new IdentityEventValidationError([`not JSON: ${(err as Error).message}`]);
  }
}

/**
 * Decodes a Kafka message value (CloudEvents structured mode) from identity.events and validates it against the
 * schema of its type. Throws only IdentityEventValidationError: a consumer treats that as a poison message
 * (dead-letter it, never retry). Unknown properties are kept and allowed (additive evolution within v1).
 */
export function parseIdentityEvent(value: string | Buffer | null): IdentityEvent {
  return validateIdentityEvent(decodeJson(value));
}

/**
 * Decodes a value from identity.state.v1: a ResourceState (User/Group), a MemberState, or null for a tombstone
 * (the key was removed). Throws only IdentityEventValidationError.
 */
export function parseStateRecord(value: string | Buffer | null): ResourceState | MemberState | null {
  if (value === null || value === undefined) return null;
  const raw = decodeJson(value);
  const validate = isRecord(raw) && raw['resourcetype'] === 'Member' ? memberStateValidator : resourceStateValidator;
  if (!validate(raw)) throw new IdentityEventValidationError(describe(validate.errors));
  return raw as unknown as ResourceState | MemberState;
}
