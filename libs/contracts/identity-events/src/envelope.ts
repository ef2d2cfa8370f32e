import { IDENTITY_EVENT_SOURCE, resourceTypeOf, type EventMember, type GroupSnapshot, type IdentityEventDataMap, type IdentityEventType, type ResourceType, type UserSnapshot } from './event-types';
import { identityEventId } from './event-id';
import { IdentityEventValidationError, validateIdentityEvent } from './validate';

/**
 * One identity event in CloudEvents 1.0 structured JSON (the JSON event format), as it is on the wire.
 * Extension attribute names are lower-case alphanumerics (CloudEvents 1.0 §3.1.3 naming rules).
 */
export interface IdentityEvent<T extends IdentityEventType = IdentityEventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  /** The resource id. */
  subject: string;
  /** RFC 3339, UTC, millisecond precision. */
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  /** Extension: the tenant (Taskize organisation) id; also the Kafka key. */
  tenantid: string;
  /** Extension: "User" or "Group", fixed by `type`. */
  resourcetype: ResourceType;
  /** Extension: the resource version after this change; +1 per change, gap-free per resource. */
  resourceversion: number;
  /** Extension: the provisioning event id (scim.provisioning.v1) that caused this change. */
  causationid: string;
  /** CloudEvents distributed-tracing extension: W3C trace context of the originating SCIM request. */
  traceparent?: string;
  data: IdentityEventDataMap[T];
}

export interface BuildIdentityEventInput<T extends IdentityEventType> {
  type: T;
  tenantId: string;
  resourceType: ResourceType;
  resourceId: string;
  version: number;
  time: Date | string;
  causationId: string;
  traceparent?: string;
  data: IdentityEventDataMap[T];
}

/**
 * Latest state of one user or group on the compacted topic identity.state.v1 (key: `stateKey(resourcetype, id)`).
 * The directory writes a tombstone (null value) on delete; `deleted: true` records are accepted too.
 * Group members are not inline: each is a MemberState record of its own.
 */
export interface ResourceState {
  tenantid: string;
  resourcetype: ResourceType;
  id: string;
  version: number;
  deleted?: boolean;
  user?: UserSnapshot;
  /** `members` is reserved (never written by the directory); read members from MemberState records. */
  group?: GroupSnapshot & { members?: EventMember[] };
  lastEventId: string;
  /** Absent from the directory's records today; optional for readers. */
  time?: string;
}

/** One member of one group on identity.state.v1 (key: `memberStateKey(groupId, value)`); a tombstone when removed. */
export interface MemberState {
  tenantid: string;
  resourcetype: 'Member';
  groupId: string;
  value: string;
  type: ResourceType;
}

// RFC 3339 requires an offset; a bare "2026-11-29 20:00:00" (MySQL DATETIME) would be read as local time.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// W3C Trace Context §3.2, version 00. An invalid value is dropped rather than failing the change: §3.2.2.x
// tells a receiver to ignore an invalid traceparent and start a new trace, and the event must still go out.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO = /^0+$/;

function isValidTraceparent(value: string): boolean {
  if (!TRACEPARENT.test(value)) return false;
  const [version, traceId, parentId] = value.split('-') as [string, string, string, string];
  return version !== 'ff' && !ZERO.test(traceId) && !ZERO.test(parentId);
}

function toTime(time: Date | string): string {
  const ms = typeof time === 'string' ? (RFC3339.test(time) ? Date.parse(time) : NaN) : time.getTime();
  if (Number.isNaN(ms)) throw new IdentityEventValidationError([`/time is not an RFC 3339 time with an offset: ${String(time)}`]);
  return new Date(ms).toISOString();
}

/**
 * Builds the event the directory writes to its outbox for a committed change, and checks it against the schema
 * of its type (throws IdentityEventValidationError): an event that would fail subscribers' parseIdentityEvent
 * fails the producer's transaction instead. `data` is copied through JSON, so the event is exactly what goes
 * on the wire (undefined dropped) and later changes to the input do not reach it.
 */
export function buildIdentityEvent<T extends IdentityEventType>(input: BuildIdentityEventInput<T>): IdentityEvent<T> {
  if (resourceTypeOf(input.type) !== input.resourceType) {
    throw new IdentityEventValidationError([`/resourcetype ${input.resourceType} does not match type ${input.type}`]);
  }
  const event: IdentityEvent<T> = {
    specversion: '1.0',
    id: identityEventId(input.tenantId, input.resourceType, input.resourceId, input.version),
    source: IDENTITY_EVENT_SOURCE,
    type: input.type,
    subject: input.resourceId,
    time: toTime(input.time),
    datacontenttype: 'application/json',
    tenantid: input.tenantId,
    resourcetype: input.resourceType,
    resourceversion: input.version,
    causationid: input.causationId,
    ...(input.traceparent !== undefined && isValidTraceparent(input.traceparent) ? { traceparent: input.traceparent } : {}),
    data: JSON.parse(JSON.stringify(input.data)) as IdentityEventDataMap[T],
  };
  validateIdentityEvent(event);
  return event;
}

/** Narrows an event to one type: `if (isEventOfType(e, EVENT_TYPES.userCreated)) e.data.user…`. */
export function isEventOfType<T extends IdentityEventType>(event: IdentityEvent, type: T): event is IdentityEvent<T> {
  return event.type === type;
}
