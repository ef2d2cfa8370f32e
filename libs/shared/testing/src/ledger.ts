import { identityEventId, parseIdentityEvent, type IdentityEvent } from '@taskize/identity-events';
import { createKafka } from '@taskize/kafka';
import { TOPICS } from '@taskize/topics';
import { repoRoot } from '@taskize/devstack';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { infra, killService, queryDb, scim, uniqueSlug, waitFor, type TestTenant } from './helpers';

/**
 * The fault tests' ledger and checker. Load drivers record every SCIM request they make and what the
 * gateway answered; after a fault, `checkLedger` compares that record with what is really committed
 * (MySQL, read as root) and what was really published (the whole identity.events topic):
 *   (a) every 2xx write is in MySQL as answered (the last acknowledged write per resource) and on the
 *       stream at the answered version; an acknowledged delete left nothing behind;
 *   (b) per resource, the stream has versions 1..N without gaps or conflicting duplicates (a relay
 *       re-publish repeats the same event id and bytes, and is counted), and N is MySQL's version
 *       (a deleted resource ends with *.deleted);
 *   (c) every event's key is its tenantid, no resource id lives under two tenants, and nothing of one
 *       tenant (externalId prefixed with the tenant slug) shows up under the other;
 *   (d) a 503 (or no answer) is "unknown": applied or not, both are fine — but it carries Retry-After.
 */

export type Verdict = 'acknowledged' | 'rejected' | 'unknown';

export interface LedgerEntry {
  seq: number;
  tenantId: string;
  tenantSlug: string;
  method: string;
  path: string;
  body: unknown;
  /** 0 when no HTTP answer arrived (connection error, client timeout). */
  status: number;
  error?: string;
  responseBody: Record<string, unknown>;
  etag?: string;
  retryAfter?: string;
  resourceType?: 'User' | 'Group';
  resourceId?: string;
  startedAt: number;
  answeredAt: number;
}

export function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return 'acknowledged';
  if (status >= 400 && status < 500) return 'rejected';
  return 'unknown';
}

const versionOf = (etag: string | undefined): number | undefined => {
  const m = etag && /^W\/"(\d+)"$/.exec(etag);
  return m ? Number(m[1]) : undefined;
};

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  readonly tenants = new Map<string, TestTenant>();
  /** Requests sent and not answered yet. */
  inFlight = 0;
  private seq = 0;

  /**
   * `pickGateway` plays a load balancer in front of several gateway instances (default: the stack's
   * one). Take an instance out of the rotation before stopping it, as a load balancer drains it.
   */
  constructor(
    tenants: readonly TestTenant[] = [],
    private readonly pickGateway?: () => string,
  ) {
    for (const t of tenants) this.addTenant(t);
  }

  addTenant(tenant: TestTenant): void {
    this.tenants.set(tenant.organisationId, tenant);
  }

  /** Sends one SCIM request through the gateway and records it with its answer. */
  async request(tenant: TestTenant, method: string, path: string, body?: unknown): Promise<LedgerEntry> {
    this.addTenant(tenant);
    const startedAt = Date.now();
    const seq = ++this.seq;
    const m = /^\/(Users|Groups)(?:\/([0-9a-f-]{36}))?/i.exec(path);
    const resourceType: LedgerEntry['resourceType'] = m ? (m[1]?.toLowerCase() === 'users' ? 'User' : 'Group') : undefined;
    const base = { seq, tenantId: tenant.organisationId, tenantSlug: tenant.slug, method, path, body, startedAt, ...(resourceType ? { resourceType } : {}) };
    let entry: LedgerEntry;
    this.inFlight++;
    try {
      const gatewayUrl = this.pickGateway?.();
      const res = await scim(method, path, { token: tenant.token, ...(body === undefined ? {} : { body }), ...(gatewayUrl ? { gatewayUrl } : {}) });
      const bodyId = typeof res.body['id'] === 'string' ? res.body['id'] : undefined;
      const resourceId = m?.[2]?.toLowerCase() ?? (verdictOf(res.status) === 'acknowledged' ? bodyId : undefined);
      const meta = res.body['meta'] as { version?: string } | undefined;
      const etag = res.headers.get('etag') ?? meta?.version ?? undefined;
      const retryAfter = res.headers.get('retry-after') ?? undefined;
      entry = {
        ...base,
        status: res.status,
        responseBody: res.body,
        ...(etag ? { etag } : {}),
        ...(retryAfter ? { retryAfter } : {}),
        ...(resourceId ? { resourceId } : {}),
        answeredAt: Date.now(),
      };
    } catch (error) {
      entry = { ...base, status: 0, error: error instanceof Error ? error.message : String(error), responseBody: {}, ...(m?.[2] ? { resourceId: m[2].toLowerCase() } : {}), answeredAt: Date.now() };
    } finally {
      this.inFlight--;
    }
    this.entries.push(entry);
    return entry;
  }

  count(verdict: Verdict, since = 0): number {
    return this.entries.filter((e) => e.answeredAt >= since && verdictOf(e.status) === verdict).length;
  }

  statusCounts(since = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.entries) if (e.answeredAt >= since) counts[String(e.status)] = (counts[String(e.status)] ?? 0) + 1;
    return counts;
  }
}

// ---------------------------------------------------------------- Kafka and MySQL reading

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

const brokers = () => (infra()['KAFKA_BROKERS'] ?? '').split(',');

/** Reads a whole topic with a fresh group, from the beginning up to the end offsets taken now. */
export async function readTopicToEnd(topic: string, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const kafka = createKafka({ brokers: brokers(), clientId: 'test-ledger' });
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const endOf = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  const remaining = new Set(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition));
  const records: TopicRecord[] = [];
  if (!remaining.size) return records;
  const consumer = kafka.consumer({ groupId: `test-ledger-${uniqueSlug()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1024 * 1024, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = endOf.get(batch.partition) ?? 0n;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= end) break;
          records.push({
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString('utf8') : null,
            value: m.value,
            headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? '' : String(v)])),
          });
        }
        const last = batch.messages.at(-1);
        if (last && BigInt(last.offset) + 1n >= end) remaining.delete(batch.partition);
      },
    });
    await waitFor(async () => remaining.size === 0, { timeoutMs, intervalMs: 100, what: `${topic} read to its end offsets` });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/**
 * Waits until every provisioning event is applied and committed (the directory group has no lag),
 * and the outbox is fully relayed. A SIGKILLed consumer holds its partitions for the session
 * timeout (30 s), so allow more than that.
 */
export async function waitForSettled(timeoutMs = 120_000, groupId = 'directory'): Promise<void> {
  const kafka = createKafka({ brokers: brokers(), clientId: 'test-ledger-admin' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    let last = '';
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(TOPICS.provisioning.name);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPICS.provisioning.name] });
        const lagging = ends.filter((p) => {
          if (p.high === p.low) return false;
          const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
          return c !== p.high;
        });
        const [pending] = await queryDb<{ n: number }>('directory', 'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL');
        last = `lagging partitions ${lagging.map((p) => p.partition).join(',') || 'none'}, unpublished outbox rows ${Number(pending?.n ?? 0)}`;
        return lagging.length === 0 && Number(pending?.n ?? 0) === 0;
      },
      { timeoutMs, intervalMs: 250, what: 'the directory to catch up and the outbox to drain' },
    ).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (${last})`);
    });
  } finally {
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------- the checker

export interface LedgerReport {
  tenants: number;
  requests: number;
  acknowledged: number;
  rejected: number;
  unknown: number;
  statuses: Record<string, number>;
  resourcesChecked: number;
  eventsRead: number;
  eventsOfTenants: number;
  /** Same event id seen more than once, identical bytes (a relay re-publish): allowed, counted. */
  republished: number;
  /** 503/no-answer writes whose resource later existed (applied after all), where that is knowable. */
  unknownApplied: number;
  violations: string[];
}

interface UserRow {
  tenant_id: string;
  id: string;
  user_name: string;
  active: number;
  version: number;
  external_id: string | null;
  resource: string;
}
interface GroupRow {
  tenant_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  version: number;
}
interface SeenEvent {
  event: IdentityEvent;
  raw: string;
  partition: number;
  offset: string;
}

const userView = (u: Record<string, unknown>) => ({
  userName: u['userName'],
  active: u['active'],
  title: u['title'] ?? null,
  externalId: u['externalId'] ?? null,
});

const externalIdOf = (e: IdentityEvent): string | undefined => {
  const d = e.data as { user?: { externalId?: string }; group?: { externalId?: string } };
  return d.user?.externalId ?? d.group?.externalId;
};

/**
 * Settles (see waitForSettled), then checks the ledger against MySQL and identity.events.
 * Returns a report; `violations` is empty when every guarantee held.
 */
export async function checkLedger(ledger: Ledger, opts: { settleTimeoutMs?: number } = {}): Promise<LedgerReport> {
  await waitForSettled(opts.settleTimeoutMs ?? 120_000);
  const violations: string[] = [];
  const tenantIds = [...ledger.tenants.keys()];
  const slugOf = (t: string) => ledger.tenants.get(t)?.slug;

  // MySQL, as root: every user and group of the ledger's tenants, and any row elsewhere carrying a ledger resource id.
  const users = tenantIds.length
    ? await queryDb<UserRow>('directory', 'SELECT tenant_id, id, user_name, active, version, external_id, resource FROM users WHERE tenant_id IN (?)', [tenantIds])
    : [];
  const groups = tenantIds.length ? await queryDb<GroupRow>('directory', 'SELECT tenant_id, id, display_name, external_id, version FROM scim_groups WHERE tenant_id IN (?)', [tenantIds]) : [];
  const ledgerIds = [...new Set(ledger.entries.flatMap((e) => (e.resourceId ? [e.resourceId] : [])))];
  if (ledgerIds.length) {
    const elsewhere = [
      ...(await queryDb<{ tenant_id: string; id: string }>('directory', 'SELECT tenant_id, id FROM users WHERE id IN (?) AND tenant_id NOT IN (?)', [ledgerIds, tenantIds])),
      ...(await queryDb<{ tenant_id: string; id: string }>('directory', 'SELECT tenant_id, id FROM scim_groups WHERE id IN (?) AND tenant_id NOT IN (?)', [ledgerIds, tenantIds])),
    ];
    for (const r of elsewhere) violations.push(`(c) resource ${r.id} of a ledger tenant is stored under foreign tenant ${r.tenant_id}`);
  }
  const rowOf = new Map<string, { tenantId: string; version: number; type: 'User' | 'Group'; user?: UserRow; group?: GroupRow }>();
  for (const u of users) rowOf.set(u.id, { tenantId: u.tenant_id, version: Number(u.version), type: 'User', user: u });
  for (const g of groups) {
    if (rowOf.has(g.id)) violations.push(`(c) id ${g.id} is both a user and a group`);
    rowOf.set(g.id, { tenantId: g.tenant_id, version: Number(g.version), type: 'Group', group: g });
  }
  for (const u of users) {
    const slug = slugOf(u.tenant_id);
    if (u.external_id && slug && !u.external_id.startsWith(`${slug}:`)) violations.push(`(c) user ${u.id} of tenant ${slug} has externalId ${u.external_id} of another tenant`);
  }
  for (const g of groups) {
    const slug = slugOf(g.tenant_id);
    if (g.external_id && slug && !g.external_id.startsWith(`${slug}:`)) violations.push(`(c) group ${g.id} of tenant ${slug} has externalId ${g.external_id} of another tenant`);
  }

  // The whole identity.events topic.
  const records = await readTopicToEnd(TOPICS.identityEvents.name);
  const tenantsOfSubject = new Map<string, Set<string>>();
  const eventsOf = new Map<string, SeenEvent[]>();
  let eventsOfTenants = 0;
  for (const r of records) {
    if (!r.value) continue;
    const mine = r.key !== null && ledger.tenants.has(r.key);
    let event: IdentityEvent;
    try {
      event = parseIdentityEvent(r.value);
    } catch (error) {
      if (mine) violations.push(`(b) unparseable event at ${r.partition}@${r.offset}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (r.key !== event.tenantid) violations.push(`(c) event ${event.id} at ${r.partition}@${r.offset} has key ${r.key} but tenantid ${event.tenantid}`);
    const subjectTenants = tenantsOfSubject.get(event.subject) ?? new Set<string>();
    subjectTenants.add(event.tenantid);
    tenantsOfSubject.set(event.subject, subjectTenants);
    if (!ledger.tenants.has(event.tenantid)) continue;
    eventsOfTenants++;
    if (event.id !== identityEventId(event.tenantid, event.resourcetype, event.subject, event.resourceversion)) {
      violations.push(`(b) event ${event.id} is not the id derived from (tenant, ${event.resourcetype}, ${event.subject}, v${event.resourceversion})`);
    }
    const ext = externalIdOf(event);
    const slug = slugOf(event.tenantid);
    if (ext && slug && !ext.startsWith(`${slug}:`)) violations.push(`(c) event ${event.id} of tenant ${slug} carries externalId ${ext} of another tenant`);
    const list = eventsOf.get(event.subject) ?? [];
    list.push({ event, raw: r.value.toString('utf8'), partition: r.partition, offset: r.offset });
    eventsOf.set(event.subject, list);
  }
  for (const [subject, ts] of tenantsOfSubject) {
    if (ts.size > 1 && [...ts].some((t) => ledger.tenants.has(t))) violations.push(`(c) resource ${subject} appears under tenants ${[...ts].join(', ')}`);
  }

  // (b) per resource: versions 1..N, duplicates only as identical re-publishes, N = MySQL version.
  let republished = 0;
  const byVersion = new Map<string, Map<number, SeenEvent>>();
  const resources = new Set<string>([...rowOf.keys(), ...eventsOf.keys(), ...ledger.entries.flatMap((e) => (verdictOf(e.status) === 'acknowledged' && e.resourceId ? [e.resourceId] : []))]);
  for (const id of resources) {
    const seen = eventsOf.get(id) ?? [];
    const versions = new Map<number, SeenEvent>();
    let previousFirst = 0;
    for (const s of seen) {
      const v = s.event.resourceversion;
      const first = versions.get(v);
      if (first) {
        if (first.event.id === s.event.id && first.raw === s.raw) republished++;
        else violations.push(`(b) ${s.event.resourcetype} ${id}: two different events for version ${v} (${first.event.id} at ${first.partition}@${first.offset}, ${s.event.id} at ${s.partition}@${s.offset})`);
        continue;
      }
      if (v < previousFirst) violations.push(`(b) ${s.event.resourcetype} ${id}: version ${v} first published after version ${previousFirst}`);
      previousFirst = Math.max(previousFirst, v);
      versions.set(v, s);
    }
    byVersion.set(id, versions);
    const sorted = [...versions.keys()].sort((a, b) => a - b);
    sorted.forEach((v, i) => {
      if (v !== i + 1) violations.push(`(b) resource ${id}: versions ${sorted.join(',')} are not 1..${sorted.length} (gap or missing start)`);
    });
    const lastVersion = sorted.at(-1);
    const last = lastVersion === undefined ? undefined : versions.get(lastVersion)?.event;
    const row = rowOf.get(id);
    if (row) {
      if (!last) violations.push(`(b) ${row.type} ${id} is in MySQL (version ${row.version}) but has no event`);
      else if (last.resourceversion !== row.version) violations.push(`(b) ${row.type} ${id}: last event version ${last.resourceversion}, MySQL version ${row.version}`);
      else if (last.type.endsWith('.deleted.v1')) violations.push(`(b) ${row.type} ${id}: last event is ${last.type} but the row exists`);
      if (last && last.tenantid !== row.tenantId) violations.push(`(c) ${row.type} ${id}: stored under ${row.tenantId}, events under ${last.tenantid}`);
    } else if (last && !last.type.endsWith('.deleted.v1')) {
      violations.push(`(b) resource ${id} is not in MySQL but its last event is ${last.type} v${last.resourceversion}`);
    }
  }

  // (a) and (d), per resource in request order (load drivers write each resource from one worker).
  const entriesOf = new Map<string, LedgerEntry[]>();
  for (const e of ledger.entries) {
    if (!e.resourceId || e.method === 'GET') continue;
    const list = entriesOf.get(e.resourceId) ?? [];
    list.push(e);
    entriesOf.set(e.resourceId, list);
  }
  for (const e of ledger.entries) {
    if (e.status === 503 && !/^\d+$/.test(e.retryAfter ?? '')) violations.push(`(d) ${e.method} ${e.path} answered 503 without a Retry-After`);
    if (e.status >= 500 && e.status !== 503) violations.push(`(d) ${e.method} ${e.path} answered ${e.status} (only 503 is an acceptable "unknown")`);
  }
  let unknownApplied = 0;
  for (const [id, list] of entriesOf) {
    list.sort((a, b) => a.seq - b.seq);
    const first = list[0];
    if (!first) continue;
    const row = rowOf.get(id);
    const versions = byVersion.get(id) ?? new Map<number, SeenEvent>();
    const at = (e: LedgerEntry) => `${e.method} ${e.path} (#${e.seq}, ${e.status})`;
    for (const e of list) {
      if (e.tenantId !== first.tenantId) violations.push(`(c) resource ${id} written through two tenants`);
      if (verdictOf(e.status) !== 'acknowledged') continue;
      if (e.method === 'DELETE') {
        const last = [...versions.values()].at(-1)?.event;
        if (![...versions.values()].some((s) => s.event.type.endsWith('.deleted.v1'))) violations.push(`(a) ${at(e)} acknowledged but no *.deleted event (last: ${last?.type ?? 'none'})`);
        continue;
      }
      const v = versionOf(e.etag);
      if (v === undefined) {
        violations.push(`(a) ${at(e)} acknowledged without a version`);
        continue;
      }
      const ev = versions.get(v)?.event;
      if (!ev) {
        violations.push(`(a) ${at(e)} acknowledged version ${v}, which never reached identity.events`);
        continue;
      }
      if (ev.tenantid !== e.tenantId) violations.push(`(c) ${at(e)} of tenant ${e.tenantSlug} acknowledged, event under ${ev.tenantid}`);
      const user = (ev.data as { user?: Record<string, unknown> }).user;
      if (e.resourceType === 'User' && user && e.responseBody['userName'] !== undefined) {
        const answered = JSON.stringify(userView(e.responseBody));
        const published = JSON.stringify(userView(user));
        if (answered !== published) violations.push(`(a) ${at(e)} answered ${answered} but event v${v} says ${published}`);
      }
    }
    const acked = list.filter((e) => verdictOf(e.status) === 'acknowledged');
    const lastAck = acked.at(-1);
    const unknownAfter = lastAck ? list.some((e) => e.seq > lastAck.seq && verdictOf(e.status) === 'unknown') : list.some((e) => verdictOf(e.status) === 'unknown');
    if (!lastAck) {
      if (row || versions.size) unknownApplied++;
      continue;
    }
    if (lastAck.method === 'DELETE') {
      if (row) violations.push(`(a) ${at(lastAck)} acknowledged, yet ${id} is still in MySQL at version ${row.version}`);
      continue;
    }
    const v = versionOf(lastAck.etag) ?? 0;
    if (!row) {
      if (!unknownAfter) violations.push(`(a) ${at(lastAck)} acknowledged version ${v}, but ${id} is not in MySQL and no later write is unknown`);
      else unknownApplied++;
      continue;
    }
    if (row.tenantId !== lastAck.tenantId) violations.push(`(c) ${at(lastAck)} acknowledged for ${lastAck.tenantSlug}, stored under ${row.tenantId}`);
    if (row.version < v) violations.push(`(a) ${at(lastAck)} acknowledged version ${v}, MySQL has ${row.version}`);
    else if (row.version > v && !unknownAfter) violations.push(`(a) ${at(lastAck)} was the last acknowledged write (version ${v}), but MySQL has version ${row.version} and no later write is unknown`);
    else if (row.version > v) unknownApplied++;
    else if (row.user && lastAck.responseBody['userName'] !== undefined) {
      const stored = JSON.stringify(userView({ ...(JSON.parse(row.user.resource) as Record<string, unknown>) }));
      const answered = JSON.stringify(userView(lastAck.responseBody));
      if (stored !== answered) violations.push(`(a) ${at(lastAck)} answered ${answered}, MySQL has ${stored}`);
    } else if (row.group && typeof lastAck.responseBody['displayName'] === 'string' && lastAck.responseBody['displayName'] !== row.group.display_name) {
      violations.push(`(a) ${at(lastAck)} answered displayName ${String(lastAck.responseBody['displayName'])}, MySQL has ${row.group.display_name}`);
    }
  }

  return {
    tenants: tenantIds.length,
    requests: ledger.entries.length,
    acknowledged: ledger.count('acknowledged'),
    rejected: ledger.count('rejected'),
    unknown: ledger.count('unknown'),
    statuses: ledger.statusCounts(),
    resourcesChecked: resources.size,
    eventsRead: records.length,
    eventsOfTenants,
    republished,
    unknownApplied,
    violations,
  };
}

// ---------------------------------------------------------------- the load driver

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface LoadOptions {
  ledger: Ledger;
  /** Every tenant gets the same workers, making the same userNames and group names at the same time. */
  tenants: readonly TestTenant[];
  workersPerTenant?: number;
  /** Stops by itself after this many requests in all, or after `durationMs`, whichever comes first. */
  maxRequests?: number;
  durationMs?: number;
}

export interface Load {
  /** Resolves when every worker has stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  readonly requests: number;
}

/** A small deterministic PRNG (mulberry32), so both tenants' worker N makes the same choices. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * N sequential workers per tenant creating, patching and deleting users and groups. Each resource is
 * written by the worker that created it only, one request at a time, so the ledger's request order
 * is the resource's order. After a 5xx a worker pauses briefly (an IdP backs off too).
 */
export function startLoad(opts: LoadOptions): Load {
  const workers = opts.workersPerTenant ?? 3;
  const maxRequests = opts.maxRequests ?? 2_000;
  const deadline = Date.now() + (opts.durationMs ?? 120_000);
  const prefix = uniqueSlug('load');
  let stopped = false;
  let requests = 0;
  const more = () => !stopped && requests < maxRequests && Date.now() < deadline;

  const worker = async (tenant: TestTenant, w: number) => {
    const rand = prng(w + 1);
    const users: { id: string; active: boolean }[] = [];
    const groups: string[] = [];
    let n = 0;
    const send = async (method: string, path: string, body?: unknown) => {
      requests++;
      const e = await opts.ledger.request(tenant, method, path, body);
      if (verdictOf(e.status) === 'unknown') await new Promise((r) => setTimeout(r, 250));
      return e;
    };
    while (more()) {
      n++;
      const r = rand();
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
      if (users.length < 2 || r < 0.3) {
        const userName = `${prefix}.w${w}.u${n}@example.com`;
        const e = await send('POST', '/Users', { schemas: [USER], userName, externalId: `${tenant.slug}:u${w}.${n}`, name: { givenName: 'Load', familyName: `W${w}` }, active: true });
        if (e.status === 201 && e.resourceId) users.push({ id: e.resourceId, active: true });
      } else if (r < 0.6) {
        const u = pick(users);
        const body = rand() < 0.5 ? { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: !u.active } }] } : { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `T${n}` }] };
        const e = await send('PATCH', `/Users/${u.id}`, body);
        if (e.status === 200) u.active = e.responseBody['active'] === true;
      } else if (r < 0.72) {
        const displayName = `${prefix}.w${w}.g${n}`;
        const e = await send('POST', '/Groups', { schemas: [GROUP], displayName, externalId: `${tenant.slug}:g${w}.${n}`, members: [{ value: pick(users).id }] });
        if (e.status === 201 && e.resourceId) groups.push(e.resourceId);
      } else if (r < 0.88 && groups.length) {
        const op = rand() < 0.7 ? { op: 'add', path: 'members', value: [{ value: pick(users).id }] } : { op: 'remove', path: `members[value eq "${pick(users).id}"]` };
        await send('PATCH', `/Groups/${pick(groups)}`, { schemas: [PATCH], Operations: [op] });
      } else if (users.length > 3) {
        const [u] = users.splice(Math.floor(rand() * users.length), 1);
        if (u) await send('DELETE', `/Users/${u.id}`);
      }
    }
  };

  const done = Promise.all(opts.tenants.flatMap((t) => Array.from({ length: workers }, (_, w) => worker(t, w)))).then(() => undefined);
  return {
    done,
    get requests() {
      return requests;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Waits until the ledger holds `n` more acknowledged writes answered after `since` (progress under load). */
export function waitForAcks(ledger: Ledger, n: number, opts: { since?: number; timeoutMs?: number; what?: string } = {}): Promise<true> {
  const since = opts.since ?? 0;
  return waitFor(async () => ledger.count('acknowledged', since) >= n, { timeoutMs: opts.timeoutMs ?? 60_000, intervalMs: 200, what: opts.what ?? `${n} acknowledged writes` });
}

/** `bash scripts/infra.sh <args> --profile test` (fault specs: kafka-stop [--kill] / kafka-start). */
export function infraSh(...args: string[]): string {
  return execFileSync('bash', [join(repoRoot(), 'scripts/infra.sh'), ...args, '--profile', 'test'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether the test broker answers on its port. */
export function brokerUp(): boolean {
  try {
    infraSh('status');
    return true;
  } catch {
    return false;
  }
}

/** Members of a consumer group once it is Stable; -1 while it is rebalancing, 0 when Empty/Dead. */
export async function consumerGroupMembers(groupId = 'directory'): Promise<number> {
  const admin = createKafka({ brokers: brokers(), clientId: 'test-ledger-admin' }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    if (!g || g.state === 'Empty' || g.state === 'Dead') return 0;
    return g.state === 'Stable' ? g.members.length : -1;
  } finally {
    await admin.disconnect();
  }
}

/**
 * After a fault: makes sure the stack's directory is in its consumer group again. If it is alive but
 * no longer consuming (its consumer crashed for good), it is SIGKILLed and restarted, and `false`
 * is returned so the spec can report that it had to.
 */
export async function ensureDirectoryConsuming(timeoutMs = 40_000): Promise<boolean> {
  const consuming = await waitFor(async () => (await consumerGroupMembers()) >= 1, { timeoutMs, intervalMs: 500, what: 'the directory in its consumer group' }).then(
    () => true,
    () => false,
  );
  if (consuming) return true;
  const restart = await killService('directory', 'SIGKILL');
  await restart();
  await waitFor(async () => (await consumerGroupMembers()) >= 1, { timeoutMs: 60_000, intervalMs: 500, what: 'the restarted directory in its consumer group' });
  return false;
}
