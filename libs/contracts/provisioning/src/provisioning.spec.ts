import { MalformedEventError, accountLinkedEvent, decodeEvent, decodeOutcome, encodeEvent, encodeOutcome, type ProvisioningEvent } from './provisioning';

const tenantId = '3f1c0b6e-2f4d-4c61-9a0e-6a1f7a3c2b10';
const resourceId = '0b7e2c1a-9d3f-4e5b-8a6c-1f2e3d4c5b6a';
const base = { id: 'c2d5f8a1-3b4c-4d5e-9f60-718293a4b5c6', tenantId, occurredAt: '2026-11-29T20:00:00.000Z' };

const valid: ProvisioningEvent[] = [
  { ...base, type: 'UserCreated', payload: { resourceId, user: { userName: 'a@b.c', active: true } } },
  { ...base, type: 'UserUpdated', payload: { resourceId, replace: { userName: 'a@b.c', active: false }, ifMatch: 'W/"3"' } },
  { ...base, type: 'UserUpdated', payload: { resourceId, patch: { schemas: [], Operations: [] } } },
  { ...base, type: 'UserDeleted', payload: { resourceId } },
  { ...base, type: 'GroupPushed', payload: { resourceId, mode: 'create', group: { displayName: 'Eng', members: [{ value: resourceId }] } } },
  { ...base, type: 'GroupUpdated', payload: { resourceId, patch: { Operations: [] } } },
  { ...base, type: 'GroupDeleted', payload: { resourceId } },
  { ...base, type: 'AccountLinked', payload: { resourceId, accountId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', email: 'ada@example.com' } },
];

describe('provisioning events', () => {
  it.each(valid.map((e) => [e.type, e] as const))('round-trips a %s event', (_, event) => {
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  const poison: [string, Buffer | null][] = [
    ['an empty message', null],
    ['bytes that are not JSON', Buffer.from('{not json')],
    ['a JSON array', Buffer.from('[]')],
    ['an unknown type', encodeEvent({ ...valid[0]!, type: 'UserExploded' as 'UserCreated' })],
    ['a tenant id that is not a UUID', encodeEvent({ ...valid[0]!, tenantId: 'acme' })],
    ['a create without userName', encodeEvent({ ...base, type: 'UserCreated', payload: { resourceId, user: { active: true } } } as unknown as ProvisioningEvent)],
    ['an update with both replace and patch', encodeEvent({ ...base, type: 'UserUpdated', payload: { resourceId, replace: { userName: 'x', active: true }, patch: {} } })],
    ['an update with neither', encodeEvent({ ...base, type: 'UserUpdated', payload: { resourceId } })],
    ['a group push with an unknown mode', encodeEvent({ ...base, type: 'GroupPushed', payload: { resourceId, mode: 'merge' as 'create', group: { displayName: 'x' } } })],
    ['a resource id that is not a UUID', encodeEvent({ ...base, type: 'UserDeleted', payload: { resourceId: '42' } })],
    ['an account link whose account id is not a UUID', encodeEvent({ ...base, type: 'AccountLinked', payload: { resourceId, accountId: 'ada', email: 'ada@example.com' } })],
    ['an account link without an email address', encodeEvent({ ...base, type: 'AccountLinked', payload: { resourceId, accountId: resourceId, email: 'ada' } })],
  ];

  it.each(poison)('rejects %s as a poison message', (_, value) => {
    expect(() => decodeEvent(value)).toThrow(MalformedEventError);
  });

  it('derives the same AccountLinked event for the same (tenant, account), and different ones across tenants', () => {
    const accountId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const other = '7d6c5b4a-3f2e-4d1c-9b0a-8f7e6d5c4b3a';
    const a = accountLinkedEvent({ tenantId, accountId, email: 'ada@example.com', occurredAt: new Date('2026-11-30T01:00:00Z') });
    const again = accountLinkedEvent({ tenantId, accountId, email: 'ada@example.com', occurredAt: new Date('2026-11-30T02:00:00Z') });
    const b = accountLinkedEvent({ tenantId: other, accountId, email: 'ada@example.com', occurredAt: new Date('2026-11-30T01:00:00Z') });
    expect([again.id, again.payload.resourceId]).toEqual([a.id, a.payload.resourceId]);
    expect(new Set([a.id, a.payload.resourceId, b.id, b.payload.resourceId]).size).toBe(4);
    expect(decodeEvent(encodeEvent(a))).toEqual(a);
  });

  it('reads back an outcome and ignores an unreadable one', () => {
    const outcome = { eventId: base.id, tenantId, status: 201, body: { id: resourceId } };
    expect(decodeOutcome(encodeOutcome(outcome))).toEqual(outcome);
    expect(decodeOutcome(Buffer.from('garbage'))).toBeUndefined();
    expect(decodeOutcome(null)).toBeUndefined();
  });
});
