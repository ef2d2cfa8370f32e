import type { IdentityEvent, MemberState, ResourceState } from './envelope';
import type { ResourceType } from './event-types';

/** A Kafka record as plain data; map it onto the client's message type (kafkajs: `{ key, value, headers }`). */
export interface KafkaRecord<V extends string | null = string> {
  key: string;
  value: V;
  headers: Record<string, string>;
}

/** Kafka binding §3.3.1: the content type of the JSON event format, which marks a record as structured mode. */
export const CLOUDEVENTS_JSON_CONTENT_TYPE = 'application/cloudevents+json; charset=UTF-8';

/**
 * The identity.events record of an event: key = tenant id (one tenant's events stay in order on one partition),
 * value = the event in CloudEvents structured mode. The value is authoritative. Kafka binding §3.3.3 allows the
 * binary-mode `ce_` headers in structured mode too; we add them so a subscriber can skip other tenants' or
 * types' records without parsing the value. `traceparent` is repeated as a plain header for Kafka tracing
 * instrumentations, which read that name.
 */
export function toKafkaMessage(e: IdentityEvent): KafkaRecord {
  const headers: Record<string, string> = {
    'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE,
    ce_specversion: e.specversion,
    ce_id: e.id,
    ce_source: e.source,
    ce_type: e.type,
    ce_subject: e.subject,
    ce_time: e.time,
    ce_tenantid: e.tenantid,
    ce_resourcetype: e.resourcetype,
    ce_resourceversion: String(e.resourceversion),
  };
  if (e.traceparent !== undefined) {
    headers['ce_traceparent'] = e.traceparent;
    headers['traceparent'] = e.traceparent;
  }
  return { key: e.tenantid, value: JSON.stringify(e), headers };
}

/** Key of a resource on the compacted topic identity.state.v1. Resource ids are UUIDs, unique across tenants. */
export function stateKey(resourceType: ResourceType, resourceId: string): string {
  return `${resourceType}:${resourceId}`;
}

/** Key of one group member on identity.state.v1. */
export function memberStateKey(groupId: string, memberId: string): string {
  return `Member:${groupId}:${memberId}`;
}

/** What a identity.state.v1 key names: a user, a group, or one member of a group. */
export type StateKeyParts =
  | { resourceType: ResourceType; id: string }
  | { resourceType: 'Member'; groupId: string; memberId: string };

/** Splits a identity.state.v1 key; undefined for a key this version does not know (skip it: additive evolution). */
export function parseStateKey(key: string): StateKeyParts | undefined {
  const [kind, first, second, ...rest] = key.split(':');
  if (rest.length > 0 || first === undefined || first === '') return undefined;
  if ((kind === 'User' || kind === 'Group') && second === undefined) return { resourceType: kind, id: first };
  if (kind === 'Member' && second !== undefined && second !== '') return { resourceType: 'Member', groupId: first, memberId: second };
  return undefined;
}

export const STATE_HEADER_TENANT_ID = 'tenant-id';
export const STATE_HEADER_RESOURCE_VERSION = 'resource-version';

/**
 * The identity.state.v1 record of a resource state, deleted markers included. Headers repeat the tenant and
 * version so a bootstrapping subscriber can skip other tenants without parsing values.
 */
export function toStateMessage(state: ResourceState | MemberState): KafkaRecord {
  const headers: Record<string, string> = { 'content-type': 'application/json', [STATE_HEADER_TENANT_ID]: state.tenantid };
  if (state.resourcetype === 'Member') {
    return { key: memberStateKey(state.groupId, state.value), value: JSON.stringify(state), headers };
  }
  headers[STATE_HEADER_RESOURCE_VERSION] = String(state.version);
  return { key: stateKey(state.resourcetype, state.id), value: JSON.stringify(state), headers };
}

/** The tombstone (null value) that removes a key from identity.state.v1 (a deleted resource or a removed member). */
export function stateTombstone(tenantId: string, key: string): KafkaRecord<null> {
  return { key, value: null, headers: { [STATE_HEADER_TENANT_ID]: tenantId } };
}
