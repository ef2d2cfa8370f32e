import { createHash } from 'node:crypto';
import type { ResourceType } from './event-types';

/**
 * Namespace of identity event ids (a random v4 UUID fixed once; changing it changes every event id, so never).
 */
export const IDENTITY_EVENT_ID_NAMESPACE = 'd51e3f09-a025-4a85-b92c-a74d2c0d2226';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 §4.3 name-based UUID, version 5 (SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`namespace is not a UUID: ${namespace}`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6); // version 5
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8); // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The CloudEvents `id` of the event that took a resource to `version`. Deterministic, so a re-publish of the
 * same outbox row (relay crash between produce and mark-sent) carries the same id and subscribers that dedupe
 * by `id` (CloudEvents 1.0 §3.1.1: source + id is unique) recognise it.
 */
export function identityEventId(tenantId: string, resourceType: ResourceType, resourceId: string, version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) throw new RangeError(`version must be a positive integer, got ${version}`);
  return uuidV5(`${tenantId}/${resourceType}/${resourceId}/${version}`, IDENTITY_EVENT_ID_NAMESPACE);
}
