import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { BatchOutcome, ConsumedMessage, OutgoingMessage } from '@taskize/kafka';
import {
  HEADER_CORRELATION_ID,
  MalformedEventError,
  decodeEvent,
  encodeOutcome,
  type ProvisioningEvent,
  type ProvisioningOutcome,
} from '@taskize/provisioning-contracts';
import { ScimError, ScimErrors, toErrorBody, type UserAttributes } from '@taskize/scim-core';
import { applyUserPatch, parsePatchRequest, planGroupPatch } from '@taskize/scim-patch';
import { TOPICS } from '@taskize/topics';
import { SpanKind, contextFromTraceparent, currentTraceparent, inSpan, metrics, withLogContext } from '@taskize/observability';
import { DataSource } from 'typeorm';
import { DeferredStatementError, ER_DUP_ENTRY, StatementBatch, isPermanentDataError, mysqlError, rootCause, type Queryable } from '@taskize/db';
import { WRITER } from '../data-source';
import { GroupsStore } from '../groups/groups.store';
import { OutboxRelay } from '../outbox/outbox.relay';
import { OutboxWriter } from '../outbox/outbox.writer';
import { identityEventsFor } from './identity-events.mapper';
import { UsersStore } from '../users/users.store';

/**
 * Applies provisioning events effectively once: each event's change, its outbox event and its
 * outcome row (processed_events, keyed by event id) commit together; a redelivered event finds its
 * row and gets the stored outcome again without being applied twice. Replies and offsets follow the
 * commit (KafkaBatchServer).
 */
@Injectable()
export class ProvisioningApplier {
  private readonly log = new Logger(ProvisioningApplier.name);

  constructor(
    @InjectDataSource(WRITER) private readonly writer: DataSource,
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersStore,
    private readonly groups: GroupsStore,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * One MySQL transaction for the whole chunk (one commit, one fsync, for up to APPLY_CHUNK_SIZE
   * events), while each event keeps its own outcome: every event runs after a SAVEPOINT, and a
   * client error (404, 409, 412, invalidValue) or a permanent data error rolls back that event only,
   * with its outcome still recorded. A transient error (MySQL gone, deadlock) rolls back the chunk and
   * throws: the transport retries it, and nothing was committed or replied.
   */
  async applyChunk(messages: readonly ConsumedMessage[]): Promise<BatchOutcome> {
    const started = process.hrtime.bigint();
    const replies: OutgoingMessage[] = [];
    const deadLetters: OutgoingMessage[] = [];
    const counted: { type: string; outcome: string }[] = [];
    const runner = this.writer.createQueryRunner();
    await runner.connect();
    // Statements nobody reads the result of ride with the next one that needs an answer (StatementBatch). A
    // create is one round trip (speculative, see applyOnce), the chunk's last one with BEGIN and COMMIT too:
    // a single create used to be ten round trips, then three (docs/benchmarks.md, runs 7 and 8).
    const q = new StatementBatch(runner);
    try {
      q.defer('SET TRANSACTION ISOLATION LEVEL READ COMMITTED', [], { control: true });
      q.defer('START TRANSACTION', [], { control: true });
      const events: { message: ConsumedMessage; event: ProvisioningEvent }[] = [];
      for (const message of messages) {
        try {
          events.push({ message, event: decodeEvent(message.value) });
        } catch (error) {
          if (!(error instanceof MalformedEventError)) throw error;
          deadLetters.push(this.deadLetter(message, error.reason));
          counted.push({ type: 'unknown', outcome: 'dead_lettered' });
        }
      }
      // Redeliveries are recognised by their dedupe rows. Those of events that read state anyway are read for
      // the whole chunk at once, riding with BEGIN; a create finds its own when its speculative write fails
      // (applyOnce). An event repeated within the chunk finds the outcome its first copy left in this map.
      const recorded = await readOutcomes(q, events.filter((e) => !speculative(e.event)).map((e) => e.event));
      let committed = false;
      for (const [i, { message, event }] of events.entries()) {
        // The last event's own round trip carries COMMIT (MySQL runs none of a multi-statement after a failed one).
        const commitWith = i === events.length - 1;
        // Each event is its own span (a child of the gateway request's, through the event's traceparent)
        // and its own log context: one Okta request can be followed into this transaction (issue 6).
        const { outcome, committed: sent } = await inSpan(
          `apply ${event.type}`,
          { parent: contextFromTraceparent(event.traceparent), kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': message.topic, 'messaging.kafka.partition': message.partition } },
          () => withLogContext({ eventId: event.id, tenantId: event.tenantId }, () => this.applyOnce(q, message, event, recorded, deadLetters, counted, commitWith)),
        );
        committed = sent;
        if (event.replyTo) {
          replies.push({ key: event.replyTo, value: encodeOutcome(outcome), headers: { [HEADER_CORRELATION_ID]: event.id } });
        }
      }
      if (!committed) await q.query('COMMIT');
    } catch (error) {
      q.discard();
      // Nothing of the chunk is kept (ROLLBACK outside a transaction is a no-op).
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    // Counted only once committed: a rolled-back chunk is retried and counted then.
    for (const labels of counted) metrics.eventsProcessed().inc(labels);
    metrics.applyDuration().observe(Number(process.hrtime.bigint() - started) / 1e9);
    return {
      produce: [
        { topic: TOPICS.provisioningDeadLetter.name, messages: deadLetters },
        { topic: TOPICS.provisioningReplies.name, messages: replies },
      ],
      // The relay publishes these commits once the replies are out: a gateway request waits on the reply,
      // while the identity event has a 100 ms budget, and started together they compete for the same cores
      // and broker. The relay's own 50 ms poll still bounds the wait if this never comes.
      produced: () => this.relay.notify(),
    };
  }

  /**
   * One event inside the chunk's transaction: its recorded outcome if redelivered, else applied under a
   * SAVEPOINT. Nothing is left queued when it returns, so the next event's first statement (a users INSERT,
   * say) never carries this event's writes and its errors stay its own.
   */
  private async applyOnce(
    q: StatementBatch,
    message: ConsumedMessage,
    event: ProvisioningEvent,
    recorded: Map<string, ProvisioningOutcome>,
    deadLetters: OutgoingMessage[],
    counted: { type: string; outcome: string }[],
    commitWith: boolean,
  ): Promise<{ outcome: ProvisioningOutcome; committed: boolean }> {
    const previous = recorded.get(outcomeKey(event.tenantId, event.id));
    if (previous) return this.redelivered(event, previous, counted);
    const commit = () => commitWith && q.defer('COMMIT', [], { control: true });
    // A concurrent instance that applied the same event (rebalance) makes the dedupe row a duplicate-key
    // error: the chunk rolls back and is retried, and the retry finds that instance's outcome.
    const dedupeRow = (outcome: ProvisioningOutcome) =>
      q.defer('INSERT INTO processed_events (tenant_id, event_id, event_type, status, outcome, processed_at) VALUES (?, ?, ?, ?, ?, ?)', [
        event.tenantId,
        event.id,
        event.type,
        outcome.status,
        JSON.stringify(outcome.body),
        new Date(),
      ]);
    let outcome: ProvisioningOutcome;
    // Each event starts with nothing queued (the chunk's read and every earlier event end with a send), except
    // the chunk's BEGIN when nothing was read.
    q.defer('SAVEPOINT apply_event', [], { control: true });
    if (speculative(event)) {
      // A create needs nothing read first, so all of it goes in one round trip: the users row, its emails, the
      // counter, the outbox row, the dedupe row (and COMMIT for the chunk's last event). It can fail only on
      // its keys or its data: a redelivered create meets its own users and processed_events rows, a taken
      // userName meets the unique index, a value too long for its column is refused. Then its dedupe row is
      // read (one round trip, with the rollback); without one the event runs again below, statement by statement,
      // where each of those errors is told apart as before. Anything else (MySQL gone, a deadlock) is the chunk's.
      try {
        outcome = await this.apply(q, event, new Date(), { speculative: true });
        dedupeRow(outcome);
        commit();
        await q.flush();
        counted.push({ type: event.type, outcome: 'applied' });
        return this.done(event, outcome, recorded, commitWith);
      } catch (error) {
        const errno = mysqlError(rootCause(error)).errno;
        if (!(error instanceof DeferredStatementError) || (errno !== ER_DUP_ENTRY && !isPermanentDataError(error))) throw error;
        q.discard();
        q.defer('ROLLBACK TO SAVEPOINT apply_event', [], { control: true });
        const stored = (await readOutcomes(q, [event])).get(outcomeKey(event.tenantId, event.id));
        if (stored) {
          recorded.set(outcomeKey(event.tenantId, event.id), stored);
          return this.redelivered(event, stored, counted);
        }
        q.defer('SAVEPOINT apply_event', [], { control: true });
      }
    }
    const sendsAtSavepoint = q.sends;
    try {
      outcome = await this.apply(q, event, new Date());
      dedupeRow(outcome);
      commit();
      await q.flush(); // inside the try: a deferred write's data error is this event's
      counted.push({ type: event.type, outcome: 'applied' });
    } catch (error) {
      const clientError = error instanceof ScimError && error.status < 500;
      if (!clientError && !isPermanentDataError(error)) throw error;
      // What is still queued is this event's only. If nothing was sent since its SAVEPOINT, nothing of it
      // reached MySQL and there is nothing to roll back.
      q.discard();
      if (q.sends !== sendsAtSavepoint) q.defer('ROLLBACK TO SAVEPOINT apply_event', [], { control: true });
      if (clientError) {
        outcome = { eventId: event.id, tenantId: event.tenantId, status: error.status, body: toErrorBody(error) };
        counted.push({ type: event.type, outcome: 'rejected' });
      } else {
        const cause = mysqlError(rootCause(error));
        deadLetters.push(this.deadLetter(message, `mysql ${cause.errno}: ${cause.sqlMessage ?? ''}`));
        outcome = { eventId: event.id, tenantId: event.tenantId, status: 400, body: toErrorBody(ScimErrors.invalidValue('the request could not be stored')) };
        counted.push({ type: event.type, outcome: 'dead_lettered' });
      }
      dedupeRow(outcome);
      commit();
      await q.flush();
    }
    return this.done(event, outcome, recorded, commitWith);
  }

  /** A redelivered event (or one repeated within its chunk): its recorded outcome again, nothing applied. */
  private redelivered(event: ProvisioningEvent, recorded: ProvisioningOutcome, counted: { type: string; outcome: string }[]): { outcome: ProvisioningOutcome; committed: boolean } {
    counted.push({ type: event.type, outcome: 'duplicate' });
    this.log.log(`${event.type} redelivered: answering its recorded outcome ${recorded.status}`);
    return { outcome: recorded, committed: false };
  }

  private done(event: ProvisioningEvent, outcome: ProvisioningOutcome, recorded: Map<string, ProvisioningOutcome>, committed: boolean): { outcome: ProvisioningOutcome; committed: boolean } {
    recorded.set(outcomeKey(event.tenantId, event.id), outcome);
    // One line per event (with eventId, tenantId, traceId from the context): "did Okta's push arrive?"
    this.log.log(`${event.type} → ${outcome.status}`);
    return { outcome, committed };
  }

  private deadLetter(message: ConsumedMessage, reason: string): OutgoingMessage {
    this.log.warn(`dead-lettering ${message.topic}/${message.partition}@${message.offset}: ${reason}`);
    return {
      key: message.key ?? '',
      value: message.value ?? Buffer.alloc(0),
      headers: {
        ...Object.fromEntries(Object.entries(message.headers).filter((e): e is [string, string] => e[1] !== undefined)),
        'dlq-reason': reason,
        'dlq-original-topic': message.topic,
        'dlq-original-partition': String(message.partition),
        'dlq-original-offset': message.offset,
        'dlq-failed-at': new Date().toISOString(),
      },
    };
  }

  /** Applies the change and appends its identity event(s) to the outbox, in the caller's transaction. */
  private async apply(q: StatementBatch, event: ProvisioningEvent, now: Date, opts: { speculative?: boolean } = {}): Promise<ProvisioningOutcome> {
    const ok = (status: number, body: unknown): ProvisioningOutcome => ({ eventId: event.id, tenantId: event.tenantId, status, body });
    const { tenantId } = event;
    const emit = async (change: Parameters<typeof identityEventsFor>[0]) => {
      // The identity event joins the trace as a child of this apply's span (the event's own if tracing is off).
      const traceparent = currentTraceparent() ?? event.traceparent;
      for (const entry of identityEventsFor(change, { tenantId, causationId: event.id, ...(traceparent ? { traceparent } : {}) })) {
        await this.outbox.append(q, entry, now);
      }
    };
    switch (event.type) {
      case 'UserCreated': {
        const { resourceId, user } = (event as ProvisioningEvent<'UserCreated'>).payload;
        const created = opts.speculative ? await this.users.insertQueued(q, tenantId, resourceId, user, now) : await this.users.insert(q, tenantId, resourceId, user, now);
        if (!created) throw ScimErrors.uniqueness(`userName "${user.userName}" is already taken`);
        await emit({ kind: 'userCreated', user: created });
        return ok(201, created);
      }
      case 'UserUpdated': {
        const { resourceId, ifMatch, replace, patch } = (event as ProvisioningEvent<'UserUpdated'>).payload;
        const ops = patch === undefined ? undefined : parsePatchRequest(patch, { resource: 'User' });
        const next = (current: UserAttributes) => replace ?? applyUserPatch(current, ops ?? []).user;
        const change = await this.users.update(q, tenantId, resourceId, ifMatch, now, next);
        await emit({ kind: 'userUpdated', ...change });
        return ok(200, change.after);
      }
      case 'UserDeleted': {
        const { resourceId, ifMatch } = (event as ProvisioningEvent<'UserDeleted'>).payload;
        await emit({ kind: 'userDeleted', ...(await this.users.remove(q, tenantId, resourceId, ifMatch)) });
        return ok(204, null);
      }
      case 'AccountLinked': {
        const link = (event as ProvisioningEvent<'AccountLinked'>).payload;
        const result = await this.users.linkAccount(q, tenantId, link, now);
        if (result.kind === 'created') await emit({ kind: 'userCreated', user: result.user });
        if (result.kind === 'linked') await emit({ kind: 'userUpdated', before: result.before, after: result.after });
        return result.kind === 'created' ? ok(201, result.user) : ok(200, result.kind === 'linked' ? result.after : result.user);
      }
      case 'GroupPushed': {
        const { resourceId, ifMatch, mode, group } = (event as ProvisioningEvent<'GroupPushed'>).payload;
        if (mode === 'create') {
          const created = await this.groups.create(q, tenantId, resourceId, group, now);
          await emit({ kind: 'groupCreated', group: created });
          return ok(201, created);
        }
        const change = await this.groups.replace(q, tenantId, resourceId, ifMatch, group, now);
        await emit({ kind: 'groupReplaced', ...change });
        return ok(200, change.after);
      }
      case 'GroupUpdated': {
        const { resourceId, ifMatch, patch } = (event as ProvisioningEvent<'GroupUpdated'>).payload;
        const plan = planGroupPatch(parsePatchRequest(patch, { resource: 'Group' }));
        const change = await this.groups.patch(q, tenantId, resourceId, ifMatch, plan, now);
        await emit({ kind: 'groupUpdated', ...change });
        return ok(200, change.after);
      }
      case 'GroupDeleted': {
        const { resourceId, ifMatch } = (event as ProvisioningEvent<'GroupDeleted'>).payload;
        await emit({ kind: 'groupDeleted', ...(await this.groups.remove(q, tenantId, resourceId, ifMatch)) });
        return ok(204, null);
      }
    }
  }

  /** The stored outcome of an applied event (the gateway's fallback when a reply is late). */
  findOutcome(tenantId: string, eventId: string): Promise<ProvisioningOutcome | undefined> {
    return readOutcomes(this.db, [{ tenantId, id: eventId }]).then((found) => found.get(outcomeKey(tenantId, eventId)));
  }
}

const outcomeKey = (tenantId: string, eventId: string) => `${tenantId}/${eventId}`;

/** Events written in one round trip, without reading first (applyOnce): user creates, the bulk of provisioning. */
const speculative = (event: ProvisioningEvent) => event.type === 'UserCreated';

/** The recorded outcomes of those events already applied, in one query (grouped by tenant: the index's prefix). */
async function readOutcomes(q: Queryable, events: readonly { tenantId: string; id: string }[]): Promise<Map<string, ProvisioningOutcome>> {
  const found = new Map<string, ProvisioningOutcome>();
  if (!events.length) return found;
  const byTenant = new Map<string, string[]>();
  for (const e of events) {
    const ids = byTenant.get(e.tenantId) ?? [];
    ids.push(e.id);
    byTenant.set(e.tenantId, ids);
  }
  const groups = [...byTenant];
  const rows = (await q.query(
    `SELECT tenant_id, event_id, status, outcome FROM processed_events WHERE ${groups.map(([, ids]) => `(tenant_id = ? AND event_id IN (${ids.map(() => '?').join(', ')}))`).join(' OR ')}`,
    groups.flatMap(([tenantId, ids]) => [tenantId, ...ids]),
  )) as { tenant_id: string; event_id: string; status: number; outcome: string | null }[];
  for (const row of rows) {
    found.set(outcomeKey(row.tenant_id, row.event_id), {
      eventId: row.event_id,
      tenantId: row.tenant_id,
      status: Number(row.status),
      body: row.outcome ? (JSON.parse(row.outcome) as unknown) : null,
    });
  }
  return found;
}
