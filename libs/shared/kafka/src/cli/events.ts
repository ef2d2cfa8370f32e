import { kafkaFields, loadEnv, z } from '@taskize/config';
import { applyAllToView, parseIdentityEvent, viewFromState, type IdentityEvent, type StateRecordInput } from '@taskize/identity-events';
import { TOPICS } from '@taskize/topics';
import { parseArgs } from 'node:util';
import { createKafka } from '../client';
import { IdentityEventsConsumer } from '../identity-consumer';

/**
 * `npm run events -- tail --org <slug> [--from-beginning]`: a tenant's identity events, live.
 * `npm run events -- rebuild --org <slug> [--from <ISO time>] [--json]`: a subscriber's view rebuilt
 * from Kafka alone — the compacted identity.state.v1 snapshot, then identity.events from a point in
 * time (default: the snapshot alone), skipping events the snapshot already reflects.
 * (scripts/run-app.mjs resolves --org to --tenant.)
 */
const cfg = loadEnv('events', z.object({ ...kafkaFields }), process.env);
const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'events-cli' });

function line(e: IdentityEvent): string {
  const data = e.data as unknown as Record<string, unknown>;
  const changed = Array.isArray(data['changedAttributes']) ? ` changed=${(data['changedAttributes'] as string[]).join(',')}` : '';
  const who =
    (data['user'] as { userName?: string } | undefined)?.userName ?? (data['group'] as { displayName?: string } | undefined)?.displayName ?? (data['userName'] as string | undefined) ?? (data['displayName'] as string | undefined) ?? '';
  return `${e.time}  ${e.type.replace('com.taskize.identity.', '').padEnd(22)} ${e.resourcetype.padEnd(5)} ${e.subject} v${e.resourceversion} ${who}${changed}`;
}

async function tail(tenantId: string, fromBeginning: boolean): Promise<void> {
  const consumer = new IdentityEventsConsumer(kafka, { groupId: `events-tail-${process.pid}-${Date.now()}`, topic: TOPICS.identityEvents.name, tenantId, fromBeginning, commit: false });
  const stop = () => void consumer.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`tailing ${TOPICS.identityEvents.name} for tenant ${tenantId} (Ctrl-C to stop)\n`);
  await consumer.start((e) => void process.stdout.write(`${line(e)}\n`));
}

/** Reads a whole topic up to the end offsets it has now. */
async function readToEnd(topic: string, fromTimestamp: number | undefined, each: (key: string | null, value: Buffer | null) => void): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  const starts = fromTimestamp === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, fromTimestamp);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(starts?.find((s) => s.partition === p.partition)?.offset ?? p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (!remaining.size) return;
  const consumer = kafka.consumer({ groupId: `events-rebuild-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const end = remaining.get(partition);
      if (end === undefined) return;
      each(message.key?.toString('utf8') ?? null, message.value);
      if (BigInt(message.offset) + 1n >= end) {
        remaining.delete(partition);
        if (!remaining.size) done();
      }
    },
  });
  if (starts) for (const s of starts) if (remaining.has(s.partition)) consumer.seek({ topic, partition: s.partition, offset: s.offset });
  await finished;
  await consumer.disconnect();
}

/**
 * The bootstrap procedure of docs/events.md: load the compacted state, then replay identity.events
 * from `from` up to the end offsets recorded now, in catch-up mode (the state topic is not a
 * consistent cut across partitions; catch-up converges membership and skips what is already there).
 */
async function rebuild(tenantId: string, from: string | undefined, json: boolean): Promise<void> {
  const records: StateRecordInput[] = [];
  await readToEnd(TOPICS.identityState.name, undefined, (key, value) => records.push({ key, value }));
  const snapshot = viewFromState(tenantId, records);
  const replay: IdentityEvent[] = [];
  if (from) {
    await readToEnd(TOPICS.identityEvents.name, Date.parse(from), (key, value) => {
      if (key === tenantId && value) replay.push(parseIdentityEvent(value));
    });
  }
  const view = applyAllToView(snapshot, replay, { catchUp: true });
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ users: [...view.users.values()], groups: [...view.groups.values()].map((g) => ({ ...g, members: [...g.members] })) }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`tenant ${tenantId}: ${view.users.size} users, ${view.groups.size} groups (${replay.length} events replayed after the snapshot)\n`);
  }
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { tenant: { type: 'string' }, 'from-beginning': { type: 'boolean' }, from: { type: 'string' }, json: { type: 'boolean' } },
  });
  const tenant = values.tenant;
  if (!tenant || !['tail', 'rebuild'].includes(positionals[0] ?? '')) {
    process.stderr.write('usage: npm run events -- tail --org <slug> [--from-beginning] | rebuild --org <slug> [--from <ISO time>] [--json]\n');
    process.exit(2);
  }
  if (positionals[0] === 'tail') await tail(tenant, values['from-beginning'] ?? false);
  else await rebuild(tenant, values.from, values.json ?? false);
  if (positionals[0] === 'rebuild') process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`events: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
