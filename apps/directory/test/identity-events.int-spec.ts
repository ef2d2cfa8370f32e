import { EVENT_TYPES, identityEventId, parseIdentityEvent, type IdentityEvent } from '@taskize/identity-events';
import { createKafka } from '@taskize/kafka';
import { createTenant, infra, queryDb, scim, uniqueSlug, waitFor, type TestTenant } from '@taskize/testing';
import { TOPICS } from '@taskize/topics';
import type { Consumer } from 'kafkajs';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const patch = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

/** Collects one topic from the beginning for the whole file, like a downstream subscriber would. */
class TopicRecorder {
  readonly records: { key: string | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  private consumer?: Consumer;
  constructor(private readonly topic: string) {}
  async start() {
    const kafka = createKafka({ brokers: (infra()['KAFKA_BROKERS'] ?? '').split(','), clientId: 'test-subscriber' });
    this.consumer = kafka.consumer({ groupId: `test-subscriber-${uniqueSlug()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.records.push({ key: message.key?.toString('utf8') ?? null, value: message.value, headers });
      },
    });
  }
  stop() {
    return this.consumer?.disconnect();
  }
}

describe('identity.events: the committed change stream', () => {
  const events = new TopicRecorder(TOPICS.identityEvents.name);
  const state = new TopicRecorder(TOPICS.identityState.name);
  let t: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    await Promise.all([events.start(), state.start()]);
    [t, other] = await Promise.all([createTenant('events'), createTenant('events-other')]);
  });
  afterAll(async () => {
    await Promise.all([events.stop(), state.stop()]);
  });

  const eventsOf = (tenant: TestTenant, subject: string) =>
    events.records.filter((r) => r.key === tenant.organisationId && r.value).map((r) => parseIdentityEvent(r.value!)).filter((e) => e.subject === subject);

  const waitForEvents = (tenant: TestTenant, subject: string, n: number) =>
    waitFor(async () => {
      const found = eventsOf(tenant, subject);
      return found.length >= n ? found : undefined;
    }, { what: `${n} events for ${subject}` });

  it('a user lifecycle becomes created, deactivated, reactivated, updated, deleted — gap-free versions, ids from (tenant, resource, version)', async () => {
    const created = await scim('POST', '/Users', { token: t.token, headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, body: { schemas: [USER], userName: `ev.${Date.now()}@example.com` } });
    const id = created.body['id'] as string;
    await scim('PATCH', `/Users/${id}`, { token: t.token, body: patch({ op: 'replace', value: { active: false } }) });
    await scim('PATCH', `/Users/${id}`, { token: t.token, body: patch({ op: 'replace', value: { active: true } }) });
    await scim('PATCH', `/Users/${id}`, { token: t.token, body: patch({ op: 'replace', path: 'title', value: 'Engineer' }) });
    await scim('PATCH', `/Users/${id}`, { token: t.token, body: patch({ op: 'replace', path: 'title', value: 'Engineer' }) }); // no change, no event
    await scim('DELETE', `/Users/${id}`, { token: t.token });

    const seen = await waitForEvents(t, id, 5);
    expect(seen.map((e) => [e.type, e.resourceversion])).toEqual([
      [EVENT_TYPES.userCreated, 1],
      [EVENT_TYPES.userDeactivated, 2],
      [EVENT_TYPES.userReactivated, 3],
      [EVENT_TYPES.userUpdated, 4],
      [EVENT_TYPES.userDeleted, 5],
    ]);
    for (const e of seen) {
      expect(e.id).toBe(identityEventId(t.organisationId, 'User', id, e.resourceversion));
      expect(e).toMatchObject({ specversion: '1.0', tenantid: t.organisationId, resourcetype: 'User', subject: id, datacontenttype: 'application/json' });
    }
    // Same trace as the request; the parent is the directory's apply span (W3C Trace Context).
    expect(seen[0]!.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[\da-f]{16}-01$/);
    expect(seen[0]!.traceparent).not.toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect((seen[3]!.data as { changedAttributes: string[] }).changedAttributes).toEqual(['title']);
    expect(JSON.stringify(seen)).not.toContain('password');
  });

  it('a rejected request (409, 400) produces no event', async () => {
    const userName = `dup.${Date.now()}@example.com`;
    const first = await scim('POST', '/Users', { token: t.token, body: { schemas: [USER], userName } });
    expect((await scim('POST', '/Users', { token: t.token, body: { schemas: [USER], userName: userName.toUpperCase() } })).status).toBe(409);
    await waitForEvents(t, first.body['id'] as string, 1);
    const rows = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM outbox WHERE tenant_id = ? AND event_type = ?', [t.organisationId, EVENT_TYPES.userCreated]);
    const all = events.records.filter((r) => r.key === t.organisationId && r.value).map((r) => parseIdentityEvent(r.value!)).filter((e) => e.type === EVENT_TYPES.userCreated);
    expect(all.filter((e) => (e.data as { user: { userName: string } }).user.userName.toLowerCase() === userName.toLowerCase())).toHaveLength(1);
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  it('group membership changes are one event per request with the added and removed ids, and compacted state per member', async () => {
    const users = await Promise.all([0, 1, 2].map((i) => scim('POST', '/Users', { token: t.token, body: { schemas: [USER], userName: `gm${i}.${Date.now()}@example.com` } })));
    const [a, b, c] = users.map((u) => u.body['id'] as string);
    const group = await scim('POST', '/Groups', { token: t.token, body: { schemas: [GROUP], displayName: 'Ops', members: [{ value: a }] } });
    const gid = group.body['id'] as string;
    await scim('PATCH', `/Groups/${gid}`, { token: t.token, body: patch({ op: 'add', path: 'members', value: [{ value: b }, { value: c }, { value: a }] }) });
    await scim('PATCH', `/Groups/${gid}`, { token: t.token, body: patch({ op: 'replace', value: { id: gid, displayName: 'Operations' } }, { op: 'remove', path: `members[value eq "${a}"]` }) });
    await scim('PATCH', `/Groups/${gid}`, { token: t.token, body: patch({ op: 'add', path: 'members', value: [{ value: b }] }) }); // no-op: no event

    const seen = (await waitForEvents(t, gid, 3)) as IdentityEvent[];
    expect(seen.map((e) => [e.type, e.resourceversion])).toEqual([
      [EVENT_TYPES.groupPushed, 1],
      [EVENT_TYPES.groupUpdated, 2],
      [EVENT_TYPES.groupUpdated, 3],
    ]);
    expect(seen[1]!.data).toMatchObject({ membersAdded: expect.arrayContaining([{ value: b, type: 'User' }, { value: c, type: 'User' }]), membersRemoved: [] });
    expect((seen[1]!.data as { membersAdded: unknown[] }).membersAdded).toHaveLength(2);
    expect(seen[2]!.data).toMatchObject({ renamedFrom: 'Ops', group: { displayName: 'Operations' }, membersAdded: [], membersRemoved: [a] });

    await waitFor(async () => state.records.some((r) => r.key === `Member:${gid}:${a}` && r.value === null), { what: 'a member tombstone' });
    const live = state.records.filter((r) => r.key?.startsWith(`Member:${gid}:`));
    const latest = new Map(live.map((r) => [r.key, r.value]));
    expect([...latest.entries()].filter(([, v]) => v !== null).map(([k]) => k).sort()).toEqual([`Member:${gid}:${b}`, `Member:${gid}:${c}`].sort());
  });

  it("never carries one tenant's changes under another tenant's key", async () => {
    const mine = await scim('POST', '/Users', { token: other.token, body: { schemas: [USER], userName: `iso.${Date.now()}@example.com` } });
    await waitForEvents(other, mine.body['id'] as string, 1);
    for (const r of events.records) {
      if (!r.value) continue;
      const e = parseIdentityEvent(r.value);
      expect(r.key).toBe(e.tenantid);
    }
  });
});
