import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CLOUDEVENTS_JSON_CONTENT_TYPE,
  EVENT_TYPES,
  IDENTITY_EVENT_SCHEMAS,
  IDENTITY_EVENT_SOURCE,
  IDENTITY_EVENT_TYPES,
  IdentityEventValidationError,
  buildIdentityEvent,
  changedUserAttributes,
  identityEventId,
  memberStateKey,
  parseIdentityEvent,
  parseStateKey,
  parseStateRecord,
  stateKey,
  toEventMembers,
  toKafkaMessage,
  toStateMessage,
  userChangeEventType,
  uuidV5,
  type IdentityEventType,
} from './index';
import { FIXTURE_INPUTS, FIXTURE_TENANT_ID, FIXTURE_USER_ID, fixtureFileName } from './fixtures/inputs';

const fixtureText = (type: IdentityEventType) => readFileSync(join(__dirname, 'fixtures', fixtureFileName(type)), 'utf8');
const fixture = (type: IdentityEventType) => JSON.parse(fixtureText(type)) as Record<string, unknown> & { data: Record<string, unknown> };
const types = IDENTITY_EVENT_TYPES.map((t) => [t] as const);

describe('producer: golden fixtures', () => {
  it.each(types)('builds %s exactly as its golden fixture', (type) => {
    const built = buildIdentityEvent(FIXTURE_INPUTS[type] as never);
    expect(`${JSON.stringify(built, null, 2)}\n`).toBe(fixtureText(type));
  });

  it('has a fixture input for every event type', () => {
    expect(Object.keys(FIXTURE_INPUTS).sort()).toEqual([...IDENTITY_EVENT_TYPES].sort());
  });

  it('normalises a time with an offset to UTC and rejects one without', () => {
    const input = FIXTURE_INPUTS[EVENT_TYPES.userCreated];
    expect(buildIdentityEvent({ ...input, time: '2026-11-29T21:00:00+01:00' }).time).toBe('2026-11-29T20:00:00.000Z');
    expect(buildIdentityEvent({ ...input, time: new Date(Date.UTC(2026, 10, 29, 20)) }).time).toBe('2026-11-29T20:00:00.000Z');
    expect(() => buildIdentityEvent({ ...input, time: '2026-11-29 20:00:00' })).toThrow(IdentityEventValidationError);
  });

  it.each([['not a trace context'], ['00-00000000000000000000000000000000-00f067aa0ba902b7-01'], ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']])(
    'drops an invalid traceparent %j instead of failing the change',
    (traceparent) => {
      const event = buildIdentityEvent({ ...FIXTURE_INPUTS[EVENT_TYPES.userCreated], traceparent });
      expect(event).not.toHaveProperty('traceparent');
    },
  );

  it('rejects a resource type that does not match the event type', () => {
    expect(() => buildIdentityEvent({ ...FIXTURE_INPUTS[EVENT_TYPES.userCreated], resourceType: 'Group' })).toThrow(IdentityEventValidationError);
  });

  it('rejects data that breaks the schema, before it reaches the outbox', () => {
    const input = FIXTURE_INPUTS[EVENT_TYPES.userDeactivated];
    const stillActive = { ...input, data: { ...input.data, user: { ...input.data.user, active: true } } };
    expect(() => buildIdentityEvent(stillActive)).toThrow(/active/);
    const updated = FIXTURE_INPUTS[EVENT_TYPES.userUpdated];
    expect(() => buildIdentityEvent({ ...updated, data: { ...updated.data, changedAttributes: ['active'] } })).toThrow(IdentityEventValidationError);
    expect(() => buildIdentityEvent({ ...input, resourceId: '0b7e2c1a-0000-4e5b-8a6c-1f2e3d4c5b6a' })).toThrow(/subject/);
  });

  it('copies data, dropping undefined, so later changes to the input do not reach the event', () => {
    const input = FIXTURE_INPUTS[EVENT_TYPES.userCreated];
    const user = { ...input.data.user, nickName: undefined };
    const event = buildIdentityEvent({ ...input, data: { user } });
    user.userName = 'changed@example.com';
    expect(event.data.user.userName).toBe('ada.lovelace@example.com');
    expect(Object.keys(event.data.user)).not.toContain('nickName');
  });
});

describe('consumer: parseIdentityEvent', () => {
  it.each(types)('accepts the golden %s', (type) => {
    const parsed = parseIdentityEvent(Buffer.from(fixtureText(type)));
    expect(parsed).toEqual(fixture(type));
    expect(parsed.source).toBe(IDENTITY_EVENT_SOURCE);
  });

  const envelopeRequired = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'tenantid', 'resourcetype', 'resourceversion', 'causationid', 'data'];
  const missing = IDENTITY_EVENT_TYPES.flatMap((type) => envelopeRequired.map((field) => [type, field] as const));
  it.each(missing)('rejects %s without %s', (type, field) => {
    const event = fixture(type);
    delete event[field];
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(IdentityEventValidationError);
  });

  const dataRequired: Record<IdentityEventType, string[]> = {
    [EVENT_TYPES.userCreated]: ['user'],
    [EVENT_TYPES.userUpdated]: ['user', 'changedAttributes'],
    [EVENT_TYPES.userDeactivated]: ['user', 'changedAttributes'],
    [EVENT_TYPES.userReactivated]: ['user', 'changedAttributes'],
    [EVENT_TYPES.userDeleted]: ['id', 'userName'],
    [EVENT_TYPES.groupPushed]: ['group', 'mode', 'members'],
    [EVENT_TYPES.groupUpdated]: ['group', 'changedAttributes', 'membersAdded', 'membersRemoved'],
    [EVENT_TYPES.groupDeleted]: ['id', 'displayName'],
  };
  const missingData = Object.entries(dataRequired).flatMap(([type, fields]) => fields.map((f) => [type as IdentityEventType, f] as const));
  it.each(missingData)('rejects %s without data.%s', (type, field) => {
    const event = fixture(type);
    delete event.data[field];
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(IdentityEventValidationError);
  });

  const wrongTypes: [string, (e: ReturnType<typeof fixture>) => void][] = [
    ['resourceversion as a string', (e) => (e['resourceversion'] = '2')],
    ['resourceversion 0', (e) => (e['resourceversion'] = 0)],
    ['specversion 0.3', (e) => (e['specversion'] = '0.3')],
    ['a time that is not RFC 3339', (e) => (e['time'] = 'yesterday')],
    ['a tenant id that is not a UUID', (e) => (e['tenantid'] = 'acme')],
    ['a Group resourcetype on a user event', (e) => (e['resourcetype'] = 'Group')],
    ['user.active as a string', (e) => ((e.data['user'] as Record<string, unknown>)['active'] = 'true')],
    ['user.emails as an object', (e) => ((e.data['user'] as Record<string, unknown>)['emails'] = { value: 'x' })],
    ['an empty userName', (e) => ((e.data['user'] as Record<string, unknown>)['userName'] = '')],
    ['data as an array', (e) => (e.data = [] as never)],
  ];
  it.each(wrongTypes)('rejects user.created with %s', (_, mutate) => {
    const event = fixture(EVENT_TYPES.userCreated);
    mutate(event);
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(IdentityEventValidationError);
  });

  it.each([
    ['a member type other than User or Group', (e: ReturnType<typeof fixture>) => ((e.data['members'] as { type: string }[])[0]!.type = 'Device')],
    ['a mode other than created or replaced', (e: ReturnType<typeof fixture>) => (e.data['mode'] = 'merged')],
    ['a member without a value', (e: ReturnType<typeof fixture>) => delete (e.data['members'] as Record<string, unknown>[])[0]!['value']],
  ])('rejects group.pushed with %s', (_, mutate) => {
    const event = fixture(EVENT_TYPES.groupPushed);
    mutate(event);
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(IdentityEventValidationError);
  });

  it('rejects an unknown event type, naming it', () => {
    const event = { ...fixture(EVENT_TYPES.userCreated), type: 'com.taskize.identity.user.exploded.v1' };
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(/user\.exploded/);
  });

  it('rejects a v2 type this library does not know yet', () => {
    const event = { ...fixture(EVENT_TYPES.userCreated), type: 'com.taskize.identity.user.created.v2' };
    expect(() => parseIdentityEvent(JSON.stringify(event))).toThrow(IdentityEventValidationError);
  });

  it.each([
    ['an empty message', null],
    ['bytes that are not JSON', Buffer.from('{not json')],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
  ])('rejects %s', (_, value) => {
    expect(() => parseIdentityEvent(value)).toThrow(IdentityEventValidationError);
  });

  it('lists every schema error at once', () => {
    const event = fixture(EVENT_TYPES.userCreated);
    delete event['id'];
    event['resourceversion'] = 'x';
    try {
      parseIdentityEvent(JSON.stringify(event));
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(IdentityEventValidationError);
      expect((error as IdentityEventValidationError).errors.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('additive-only evolution within v1', () => {
  it.each(types)('%s still parses with unknown fields in the envelope and in data', (type) => {
    const event = fixture(type);
    event['partitionkey'] = FIXTURE_TENANT_ID;
    event['tracestate'] = 'taskize=1';
    event.data['addedInV1_1'] = { anything: [1, 2, 3] };
    const nested = (event.data['user'] ?? event.data['group']) as Record<string, unknown> | undefined;
    if (nested) nested['futureAttribute'] = 'x';
    const parsed = parseIdentityEvent(JSON.stringify(event));
    expect((parsed.data as unknown as Record<string, unknown>)['addedInV1_1']).toEqual({ anything: [1, 2, 3] });
  });

  it('keeps the envelope part of every schema identical except type and resourcetype', () => {
    const envelope = (schema: object) => {
      const { properties, required, additionalProperties } = schema as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
      const { type: _type, resourcetype: _resourcetype, ...rest } = properties;
      return { rest, required, additionalProperties };
    };
    const [first, ...others] = Object.values(IDENTITY_EVENT_SCHEMAS).map(envelope);
    for (const other of others) expect(other).toEqual(first);
    expect(first!.additionalProperties).toBe(true);
  });
});

describe('identityEventId', () => {
  it('is the RFC 4122 version 5 UUID (checked against the RFC example namespace)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is deterministic: a re-publish has the same id', () => {
    expect(identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 3)).toBe(identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 3));
    expect(identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 1)).toBe(fixture(EVENT_TYPES.userCreated)['id']);
  });

  it('differs per version, resource type, resource and tenant', () => {
    const ids = new Set([
      identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 1),
      identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 2),
      identityEventId(FIXTURE_TENANT_ID, 'Group', FIXTURE_USER_ID, 1),
      identityEventId(FIXTURE_TENANT_ID, 'User', '00000000-0000-4000-8000-000000000000', 1),
      identityEventId('00000000-0000-4000-8000-000000000001', 'User', FIXTURE_USER_ID, 1),
    ]);
    expect(ids.size).toBe(5);
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 1, max: 1e9 }), (tenant, resource, version) => {
        const id = identityEventId(tenant, 'User', resource, version);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(identityEventId(tenant, 'User', resource, version + 1)).not.toBe(id);
      }),
    );
  });

  it.each([[0], [-1], [1.5], [Number.NaN]])('refuses version %p', (version) => {
    expect(() => identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, version)).toThrow(RangeError);
  });
});

describe('fuzz', () => {
  const golden = IDENTITY_EVENT_TYPES.map(fixture);
  const throwsOnlyValidationError = (value: string | Buffer) => {
    try {
      parseIdentityEvent(value);
    } catch (error) {
      if (!(error instanceof IdentityEventValidationError)) throw error;
    }
  };

  it('parseIdentityEvent throws only IdentityEventValidationError on random input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
          fc.record({ type: fc.constantFrom(...IDENTITY_EVENT_TYPES), data: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        ),
        throwsOnlyValidationError,
      ),
      { numRuns: 500 },
    );
  });

  it('parseIdentityEvent throws only IdentityEventValidationError on golden events with a field replaced by anything', () => {
    fc.assert(
      fc.property(fc.constantFrom(...golden), fc.constantFrom('subject', 'data', 'type', 'tenantid', 'time', 'resourceversion', 'traceparent'), fc.jsonValue(), (event, field, value) => {
        throwsOnlyValidationError(JSON.stringify({ ...event, [field]: value }));
      }),
      { numRuns: 500 },
    );
  });
});

describe('Kafka framing', () => {
  it('keys identity.events by tenant id, in CloudEvents structured mode with ce_ headers for filtering', () => {
    const event = parseIdentityEvent(fixtureText(EVENT_TYPES.userDeactivated));
    const message = toKafkaMessage(event);
    expect(message.key).toBe(FIXTURE_TENANT_ID);
    expect(JSON.parse(message.value)).toEqual(event);
    expect(message.headers).toMatchObject({
      'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE,
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: EVENT_TYPES.userDeactivated,
      ce_tenantid: FIXTURE_TENANT_ID,
      ce_subject: FIXTURE_USER_ID,
      ce_resourceversion: '3',
      traceparent: event.traceparent,
    });
    expect(Object.values(message.headers).every((v) => typeof v === 'string')).toBe(true);
  });

  it('keys state records by resource and by group member, and reads them back', () => {
    expect(stateKey('User', FIXTURE_USER_ID)).toBe(`User:${FIXTURE_USER_ID}`);
    expect(parseStateKey(memberStateKey('g', 'u'))).toEqual({ resourceType: 'Member', groupId: 'g', memberId: 'u' });
    expect(parseStateKey(`Group:${FIXTURE_USER_ID}`)).toEqual({ resourceType: 'Group', id: FIXTURE_USER_ID });
    expect(parseStateKey('Device:1')).toBeUndefined();
    const user = fixture(EVENT_TYPES.userCreated).data['user'] as never;
    const state = { tenantid: FIXTURE_TENANT_ID, resourcetype: 'User' as const, id: FIXTURE_USER_ID, version: 1, lastEventId: identityEventId(FIXTURE_TENANT_ID, 'User', FIXTURE_USER_ID, 1), user };
    const record = toStateMessage(state);
    expect(record).toMatchObject({ key: `User:${FIXTURE_USER_ID}`, headers: { 'tenant-id': FIXTURE_TENANT_ID, 'resource-version': '1' } });
    expect(parseStateRecord(record.value)).toEqual(state);
    const member = { tenantid: FIXTURE_TENANT_ID, resourcetype: 'Member' as const, groupId: FIXTURE_USER_ID, value: 'u1', type: 'User' as const };
    expect(parseStateRecord(toStateMessage(member).value)).toEqual(member);
    expect(parseStateRecord(null)).toBeNull();
    expect(() => parseStateRecord(JSON.stringify({ ...state, user: undefined }))).toThrow(IdentityEventValidationError);
    expect(parseStateRecord(JSON.stringify({ ...state, user: undefined, deleted: true }))).toMatchObject({ deleted: true });
  });
});

describe('change helpers', () => {
  const before = FIXTURE_INPUTS[EVENT_TYPES.userCreated].data.user;
  it.each([
    ['nothing', before, []],
    ['the title', { ...before, title: 'Senior Analyst' }, ['title']],
    ['an email and active', { ...before, active: false, emails: [] }, ['active', 'emails']],
    ['a removed attribute', { ...before, locale: undefined }, ['locale']],
    ['an enterprise attribute', { ...before, enterprise: { ...before.enterprise, costCenter: 'CC-1' } }, ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter']],
  ])('changedUserAttributes names %s', (_, after, expected) => {
    expect(changedUserAttributes(before, after as typeof before)).toEqual(expected);
  });

  it('picks deactivated/reactivated whenever active flips', () => {
    expect(userChangeEventType({ active: true }, { active: true })).toBe(EVENT_TYPES.userUpdated);
    expect(userChangeEventType({ active: true }, { active: false })).toBe(EVENT_TYPES.userDeactivated);
    expect(userChangeEventType({ active: false }, { active: true })).toBe(EVENT_TYPES.userReactivated);
  });

  it('types members as User unless the client said Group', () => {
    expect(toEventMembers([{ value: 'a' }, { value: 'b', type: 'Group', display: 'B' }])).toEqual([
      { value: 'a', type: 'User' },
      { value: 'b', type: 'Group' },
    ]);
    expect(toEventMembers(undefined)).toEqual([]);
  });
});
