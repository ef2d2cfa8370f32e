import { EVENT_TYPES } from '@taskize/identity-events';
import { createKafka } from '@taskize/kafka';
import { encodeEvent, type ProvisioningEvent } from '@taskize/provisioning-contracts';
import { Ledger, checkLedger, createTenant, infra, queryDb, readState, readTopicToEnd, waitFor, type TestTenant } from '@taskize/testing';
import { TOPICS } from '@taskize/topics';
import { Partitioners, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * Faults of delivery itself, produced straight onto scim.provisioning.v1 as a broken or replaying
 * producer would: a poison message, the same event twice, and a reply nobody is waiting for.
 */
describe('provisioning delivery faults', () => {
  let a: TestTenant;
  let b: TestTenant;
  let producer: Producer;
  const ledger = new Ledger();

  beforeAll(async () => {
    [a, b] = await Promise.all([createTenant('dlv-a'), createTenant('dlv-b')]);
    ledger.addTenant(a);
    ledger.addTenant(b);
    producer = createKafka({ brokers: (infra()['KAFKA_BROKERS'] ?? '').split(','), clientId: 'test-fault-producer' }).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  const userCreated = (tenant: TestTenant, userName: string, extra: { replyTo?: string } = {}): ProvisioningEvent<'UserCreated'> => ({
    id: randomUUID(),
    type: 'UserCreated',
    tenantId: tenant.organisationId,
    occurredAt: new Date().toISOString(),
    payload: { resourceId: randomUUID(), user: { userName, externalId: `${tenant.slug}:${userName}`, active: true } },
    ...extra,
  });
  const outcomeRows = (tenant: TestTenant, eventId: string) =>
    queryDb<{ status: number; outcome: string }>('directory', 'SELECT status, outcome FROM processed_events WHERE tenant_id = ? AND event_id = ?', [tenant.organisationId, eventId]);

  it('dead-letters a poison message and a schema-invalid event with their cause, and the partition keeps flowing', async () => {
    const garbage = `not json {${randomUUID()}`;
    const invalid = { id: randomUUID(), type: 'UserCreated', tenantId: a.organisationId, occurredAt: new Date().toISOString(), payload: { resourceId: randomUUID(), user: { active: true } } };
    const sent = await producer.send({
      topic: TOPICS.provisioning.name,
      acks: -1,
      messages: [
        { key: a.organisationId, value: garbage, headers: { 'x-test': 'garbage' } },
        { key: a.organisationId, value: JSON.stringify(invalid), headers: { 'x-test': 'invalid' } },
      ],
    });
    const partition = sent[0]!.partition;

    // A normal create right behind them, on the same partition (same tenant key), still succeeds.
    const created = await ledger.request(a, 'POST', '/Users', { schemas: [USER], userName: `after.poison.${Date.now()}@example.com`, externalId: `${a.slug}:after-poison` });
    expect(created.status).toBe(201);

    const dlq = await waitFor(async () => {
      const records = (await readTopicToEnd(TOPICS.provisioningDeadLetter.name)).filter((r) => r.key === a.organisationId);
      return records.length >= 2 ? records : undefined;
    }, { timeoutMs: 30_000, what: 'both poison messages on the DLQ' });
    const byTest = new Map(dlq.map((r) => [r.headers['x-test'], r]));
    expect(byTest.get('garbage')!.value!.toString('utf8')).toBe(garbage);
    expect(byTest.get('garbage')!.headers).toMatchObject({ 'dlq-reason': 'not JSON', 'dlq-original-topic': TOPICS.provisioning.name, 'dlq-original-partition': String(partition) });
    expect(byTest.get('invalid')!.headers).toMatchObject({ 'dlq-reason': 'user.userName missing', 'dlq-original-topic': TOPICS.provisioning.name, 'dlq-original-partition': String(partition) });
    for (const r of [byTest.get('garbage')!, byTest.get('invalid')!]) {
      expect(r.headers['dlq-original-offset']).toMatch(/^\d+$/);
      expect(Number.isNaN(Date.parse(r.headers['dlq-failed-at'] ?? ''))).toBe(false);
    }
    expect(Number(byTest.get('invalid')!.headers['dlq-original-offset'])).toBe(Number(byTest.get('garbage')!.headers['dlq-original-offset']) + 1);
    // Nothing was recorded or applied for the schema-invalid event.
    expect(await outcomeRows(a, invalid.id)).toHaveLength(0);
  });

  it('applies the same event delivered twice once: one user, one processed_events row, one identity event', async () => {
    const userName = `twice.${Date.now()}@example.com`;
    const inOneChunk = userCreated(a, userName);
    const acrossChunks = userCreated(b, userName); // the same userName in the other tenant, meanwhile
    const message = (e: ProvisioningEvent) => ({ key: e.tenantId, value: encodeEvent(e) });
    await producer.send({ topic: TOPICS.provisioning.name, acks: -1, messages: [message(inOneChunk), message(inOneChunk)] });
    await producer.send({ topic: TOPICS.provisioning.name, acks: -1, messages: [message(acrossChunks)] });
    await waitFor(async () => (await outcomeRows(b, acrossChunks.id)).length === 1, { what: 'the first delivery applied' });
    await producer.send({ topic: TOPICS.provisioning.name, acks: -1, messages: [message(acrossChunks)] });

    const report = await checkLedger(ledger);
    expect(report.violations).toEqual([]);

    for (const [tenant, e] of [[a, inOneChunk], [b, acrossChunks]] as const) {
      const rows = await outcomeRows(tenant, e.id);
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.status)).toBe(201);
      const users = await queryDb<{ id: string }>('directory', 'SELECT id FROM users WHERE tenant_id = ? AND user_name_lower = ?', [tenant.organisationId, userName]);
      expect(users).toEqual([{ id: e.payload.resourceId }]);
      const outbox = await queryDb<{ event_type: string; version: number }>('directory', 'SELECT event_type, version FROM outbox WHERE tenant_id = ? AND resource_id = ?', [tenant.organisationId, e.payload.resourceId]);
      expect(outbox.map((r) => [r.event_type, Number(r.version)])).toEqual([[EVENT_TYPES.userCreated, 1]]);
    }
    // One event per user on identity.events (the checker saw them; count them here too).
    const events = (await readTopicToEnd(TOPICS.identityEvents.name)).filter((r) => r.key === a.organisationId || r.key === b.organisationId);
    for (const e of [inOneChunk, acrossChunks]) {
      expect(events.filter((r) => r.headers['ce_subject'] === e.payload.resourceId)).toHaveLength(1);
    }
  });

  it('gives each event of a chunk its own outcome: a 409, a 400 after a write, and a MySQL data error roll back only themselves', async () => {
    const stamp = Date.now();
    const first = userCreated(a, `chunk.first.${stamp}@example.com`);
    const taken = userCreated(a, `CHUNK.first.${stamp}@example.com`); // same userName, other case: 409
    const tooLong = userCreated(a, `chunk.long.${stamp}@example.com`);
    tooLong.payload.user.externalId = 'x'.repeat(300); // VARCHAR(255): MySQL refuses it (1406), after the SAVEPOINT
    const last = userCreated(a, `chunk.last.${stamp}@example.com`);
    // The group row is written before its members are found missing: only ROLLBACK TO SAVEPOINT removes it.
    const badGroup: ProvisioningEvent<'GroupPushed'> = {
      id: randomUUID(),
      type: 'GroupPushed',
      tenantId: a.organisationId,
      occurredAt: new Date().toISOString(),
      payload: { resourceId: randomUUID(), mode: 'create', group: { displayName: `chunk.group.${stamp}`, members: [{ value: randomUUID() }] } },
    };
    const all = [first, taken, badGroup, tooLong, last];
    // One send, one tenant key: one partition, consecutive offsets, so one fetch and (normally) one chunk.
    await producer.send({ topic: TOPICS.provisioning.name, acks: -1, messages: all.map((e) => ({ key: e.tenantId, value: encodeEvent(e) })) });
    await waitFor(async () => (await outcomeRows(a, last.id)).length === 1, { timeoutMs: 30_000, what: 'the last event applied' });

    const statuses = await Promise.all(all.map(async (e) => Number((await outcomeRows(a, e.id))[0]?.status)));
    expect(statuses).toEqual([201, 409, 400, 400, 201]);
    expect(await queryDb('directory', 'SELECT id FROM scim_groups WHERE tenant_id = ? AND id = ?', [a.organisationId, badGroup.payload.resourceId])).toEqual([]);
    const users = await queryDb<{ id: string }>('directory', 'SELECT id FROM users WHERE tenant_id = ? AND user_name_lower LIKE ? ORDER BY created_at, id', [a.organisationId, `chunk.%.${stamp}@example.com`]);
    expect(users.map((u) => u.id).sort()).toEqual([first.payload.resourceId, last.payload.resourceId].sort());
    const outbox = await queryDb<{ resource_id: string }>('directory', 'SELECT resource_id FROM outbox WHERE tenant_id = ? AND resource_id IN (?, ?, ?, ?, ?)', [
      a.organisationId,
      ...all.map((e) => e.payload.resourceId),
    ]);
    expect(outbox.map((r) => r.resource_id).sort()).toEqual([first.payload.resourceId, last.payload.resourceId].sort());
    const emails = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM user_emails WHERE tenant_id = ? AND user_id IN (?, ?)', [a.organisationId, taken.payload.resourceId, tooLong.payload.resourceId]);
    expect(Number(emails[0]!.n)).toBe(0);
    const dlq = await waitFor(async () => (await readTopicToEnd(TOPICS.provisioningDeadLetter.name)).find((r) => r.value?.toString('utf8').includes(tooLong.id)), {
      timeoutMs: 30_000,
      what: 'the refused event on the DLQ',
    });
    expect(dlq.headers['dlq-reason']).toMatch(/^mysql 1406: /);
  });

  it('keeps the outcome of an event whose reply is lost, for the gateway to look up', async () => {
    const e = userCreated(a, `lost.reply.${Date.now()}@example.com`, { replyTo: `gateway-gone-${randomUUID()}` });
    await producer.send({ topic: TOPICS.provisioning.name, acks: -1, messages: [{ key: a.organisationId, value: encodeEvent(e), headers: { 'correlation-id': e.id, 'reply-to': e.replyTo! } }] });
    const token = infra()['INTERNAL_API_TOKEN'] ?? '';
    const url = `${readState().directoryUrl}/internal/tenants/${a.organisationId}/outcomes/${e.id}`;
    const res = await waitFor(async () => {
      const r = await fetch(url, { headers: { 'x-internal-token': token } });
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 30_000, what: 'the stored outcome' });
    const outcome = (await res.json()) as { eventId: string; tenantId: string; status: number; body: { id: string; attributes: { userName: string }; version: number } };
    expect(outcome).toMatchObject({ eventId: e.id, tenantId: a.organisationId, status: 201, body: { id: e.payload.resourceId, attributes: { userName: e.payload.user.userName }, version: 1 } });
    // Another tenant cannot read it, and a wrong token is refused.
    expect((await fetch(`${readState().directoryUrl}/internal/tenants/${b.organisationId}/outcomes/${e.id}`, { headers: { 'x-internal-token': token } })).status).toBe(404);
    expect((await fetch(url, { headers: { 'x-internal-token': 'wrong' } })).status).toBe(401);
    // The reply itself was produced (to nobody), after the commit.
    const replies = await readTopicToEnd(TOPICS.provisioningReplies.name);
    expect(replies.some((r) => r.headers['correlation-id'] === e.id && r.key === e.replyTo)).toBe(true);

    const report = await checkLedger(ledger);
    expect(report.violations).toEqual([]);
  });

  it('the checker itself flags an acknowledged write that is not committed, and a 503 without Retry-After', async () => {
    const forged = new Ledger([a]);
    const base = { tenantId: a.organisationId, tenantSlug: a.slug, body: {}, startedAt: Date.now(), answeredAt: Date.now() };
    const ghost = randomUUID();
    forged.entries.push(
      { ...base, seq: 1, method: 'POST', path: '/Users', status: 201, resourceType: 'User', resourceId: ghost, etag: 'W/"1"', responseBody: { id: ghost, userName: 'ghost@example.com', active: true } },
      { ...base, seq: 2, method: 'PATCH', path: `/Users/${randomUUID()}`, status: 503, responseBody: {} },
    );
    const report = await checkLedger(forged);
    expect(report.violations).toEqual(
      expect.arrayContaining([expect.stringContaining('never reached identity.events'), expect.stringContaining(`${ghost} is not in MySQL`), expect.stringContaining('503 without a Retry-After')]),
    );
  });
});
