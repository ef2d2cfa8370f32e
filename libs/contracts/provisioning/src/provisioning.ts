import { uuidV5 } from '@taskize/identity-events';
import type { GroupAttributes, UserAttributes } from '@taskize/scim-core';

/**
 * Gateway → directory provisioning events on TOPICS.provisioning, keyed by tenant id.
 * The gateway has validated and normalised the request; the directory decides (uniqueness,
 * existence) and stores. `id` is the dedupe key: a redelivered event is applied once.
 */
export interface ProvisioningPayloads {
  UserCreated: { resourceId: string; user: UserAttributes };
  /**
   * PUT (`replace`: the whole normalised user) or PATCH (`patch`: the PatchOp request as the client
   * sent it, validated by the gateway; the directory applies it to the current state inside its
   * transaction, so concurrent PATCHes never lose an update).
   */
  UserUpdated: { resourceId: string; ifMatch?: string; replace?: UserAttributes; patch?: unknown };
  UserDeleted: { resourceId: string; ifMatch?: string };
  /** POST (`create`) or PUT (`replace`) of a group with its full member list. */
  GroupPushed: { resourceId: string; ifMatch?: string; mode: 'create' | 'replace'; group: GroupAttributes };
  /** PATCH: renames and member deltas, applied as set operations in SQL (cost grows with the change). */
  GroupUpdated: { resourceId: string; ifMatch?: string; patch: unknown };
  GroupDeleted: { resourceId: string; ifMatch?: string };
  /**
   * Auth → directory (issue 5 item 7, "one person, one identity"): a Taskize account became a member of
   * the organisation. The directory links it to the user whose userName is `email` (any case), or
   * creates that user (id `resourceId`, active) so Okta's `userName eq` lookup finds and links the
   * person instead of creating a duplicate. Idempotent: an account already linked changes nothing.
   */
  AccountLinked: { resourceId: string; accountId: string; email: string };
}
export type ProvisioningEventType = keyof ProvisioningPayloads;

export interface ProvisioningEvent<T extends ProvisioningEventType = ProvisioningEventType> {
  /** UUID; the dedupe key and the reply's correlation id. */
  id: string;
  type: T;
  tenantId: string;
  /** ISO-8601 time the gateway accepted the request. */
  occurredAt: string;
  /** Gateway instance that waits for the outcome; absent for fire-and-forget producers. */
  replyTo?: string;
  /** W3C trace context of the originating HTTP request. */
  traceparent?: string;
  payload: ProvisioningPayloads[T];
}

/**
 * Directory → gateway, after the MySQL commit. `body` is the SCIM resource for 2xx, or the
 * RFC 7644 §3.12 error body for 4xx (`status` inside stays a string, as on the wire).
 */
export interface ProvisioningOutcome {
  eventId: string;
  tenantId: string;
  status: number;
  body: unknown;
}

export const HEADER_CORRELATION_ID = 'correlation-id';
export const HEADER_REPLY_TO = 'reply-to';
export const HEADER_EVENT_TYPE = 'event-type';
export const HEADER_TRACEPARENT = 'traceparent';

export class MalformedEventError extends Error {
  constructor(readonly reason: string) {
    super(`malformed provisioning event: ${reason}`);
    this.name = 'MalformedEventError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPES: ReadonlySet<string> = new Set<ProvisioningEventType>(['UserCreated', 'UserUpdated', 'UserDeleted', 'GroupPushed', 'GroupUpdated', 'GroupDeleted', 'AccountLinked']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function encodeEvent(event: ProvisioningEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

/**
 * Parses a message value into an event, or throws MalformedEventError (a poison message: it can
 * never be applied, so the consumer dead-letters it instead of retrying).
 */
export function decodeEvent(value: Buffer | null): ProvisioningEvent {
  if (!value) throw new MalformedEventError('empty message');
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch {
    throw new MalformedEventError('not JSON');
  }
  if (!isRecord(raw)) throw new MalformedEventError('not an object');
  const { id, type, tenantId, occurredAt, payload } = raw;
  if (typeof id !== 'string' || !UUID.test(id)) throw new MalformedEventError('id is not a UUID');
  if (typeof type !== 'string' || !TYPES.has(type)) throw new MalformedEventError(`unknown type ${String(type)}`);
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) throw new MalformedEventError('tenantId is not a UUID');
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) throw new MalformedEventError('occurredAt is not a time');
  if (!isRecord(payload)) throw new MalformedEventError('payload is not an object');
  if (typeof payload['resourceId'] !== 'string' || !UUID.test(payload['resourceId'])) throw new MalformedEventError('resourceId is not a UUID');
  if (payload['ifMatch'] !== undefined && typeof payload['ifMatch'] !== 'string') throw new MalformedEventError('ifMatch is not a string');
  const hasUser = (u: unknown) => isRecord(u) && typeof u['userName'] === 'string' && u['userName'].length > 0;
  switch (type as ProvisioningEventType) {
    case 'UserCreated':
      if (!hasUser(payload['user'])) throw new MalformedEventError('user.userName missing');
      break;
    case 'UserUpdated':
      if ((payload['replace'] === undefined) === (payload['patch'] === undefined)) throw new MalformedEventError('exactly one of replace and patch');
      if (payload['replace'] !== undefined && !hasUser(payload['replace'])) throw new MalformedEventError('replace.userName missing');
      break;
    case 'GroupPushed': {
      const group = payload['group'];
      if (payload['mode'] !== 'create' && payload['mode'] !== 'replace') throw new MalformedEventError('mode is not create or replace');
      if (!isRecord(group) || typeof group['displayName'] !== 'string') throw new MalformedEventError('group.displayName missing');
      if (group['members'] !== undefined && !Array.isArray(group['members'])) throw new MalformedEventError('group.members is not an array');
      break;
    }
    case 'GroupUpdated':
      if (!isRecord(payload['patch'])) throw new MalformedEventError('patch is not an object');
      break;
    case 'AccountLinked':
      if (typeof payload['accountId'] !== 'string' || !UUID.test(payload['accountId'])) throw new MalformedEventError('accountId is not a UUID');
      if (typeof payload['email'] !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(payload['email'])) throw new MalformedEventError('email is not an email address');
      break;
    case 'UserDeleted':
    case 'GroupDeleted':
      break;
  }
  return raw as unknown as ProvisioningEvent;
}

export function encodeOutcome(outcome: ProvisioningOutcome): Buffer {
  return Buffer.from(JSON.stringify(outcome));
}

export function decodeOutcome(value: Buffer | null): ProvisioningOutcome | undefined {
  if (!value) return undefined;
  try {
    const raw: unknown = JSON.parse(value.toString('utf8'));
    if (isRecord(raw) && typeof raw['eventId'] === 'string' && typeof raw['status'] === 'number') {
      return raw as unknown as ProvisioningOutcome;
    }
  } catch {
    // A reply we cannot read is ignored: the waiting request falls back to the stored outcome.
  }
  return undefined;
}

/** Namespace of the ids auth derives for AccountLinked (a random v4 UUID fixed once; never change it). */
const ACCOUNT_LINK_NAMESPACE = '6f1c2a8e-3b0d-4c57-9a41-2e8d5f7b9c13';

/**
 * The AccountLinked event for one membership. Its event id and the directory user id it may create are
 * derived from (tenant, account), so every re-publish (auth instances racing, a crash before marking the
 * membership synced) is the same event: the directory's dedupe by event id applies it once.
 */
export function accountLinkedEvent(input: { tenantId: string; accountId: string; email: string; occurredAt: Date }): ProvisioningEvent<'AccountLinked'> {
  const name = `${input.tenantId}/account/${input.accountId}`;
  return {
    id: uuidV5(`${name}/linked`, ACCOUNT_LINK_NAMESPACE),
    type: 'AccountLinked',
    tenantId: input.tenantId,
    occurredAt: input.occurredAt.toISOString(),
    payload: { resourceId: uuidV5(`${name}/user`, ACCOUNT_LINK_NAMESPACE), accountId: input.accountId, email: input.email },
  };
}
