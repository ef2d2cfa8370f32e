import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_TYPES, type IdentityEvent, type UserDeletedData, type UserUpdatedData } from '@taskize/identity-events';
import { IdentityEventsConsumer } from '@taskize/kafka';
import { TOPICS } from '@taskize/topics';
import { AccountsStore } from '../accounts/accounts.store';

export const DIRECTORY_STATUS_CONSUMER = Symbol('DIRECTORY_STATUS_CONSUMER');

/** The events `accountStatusOf` reads: group events are skipped by their `ce_type` header, unparsed. */
export const ACCOUNT_STATUS_EVENT_TYPES = [
  EVENT_TYPES.userCreated,
  EVENT_TYPES.userUpdated,
  EVENT_TYPES.userDeactivated,
  EVENT_TYPES.userReactivated,
  EVENT_TYPES.userDeleted,
] as const;

/**
 * Text every event `accountStatusOf` acts on contains (the field's name, as JSON.stringify writes it): the
 * consumer skips the others unparsed (IdentityEventsConsumer `mentions`). A spec checks it on the golden fixtures.
 */
export const ACCOUNT_STATUS_MENTIONS = '"taskizeAccountId"';

/**
 * What a user event says about the Taskize account linked to it: `undefined` when the event is about no
 * account (a group, or a directory user no account is linked to).
 */
export function accountStatusOf(event: IdentityEvent): { organisationId: string; accountId: string; deactivated: boolean } | undefined {
  if (event.resourcetype !== 'User') return undefined;
  if (event.type === EVENT_TYPES.userDeleted) {
    const accountId = (event.data as UserDeletedData).taskizeAccountId;
    return accountId ? { organisationId: event.tenantid, accountId, deactivated: true } : undefined;
  }
  const { user } = event.data as UserUpdatedData;
  return user.taskizeAccountId ? { organisationId: event.tenantid, accountId: user.taskizeAccountId, deactivated: !user.active } : undefined;
}

/**
 * One person, one identity (issue 5 item 7), the directory → auth half: auth subscribes to
 * identity.events like any Taskize service. A linked user deactivated or deleted through SCIM can no
 * longer sign in to that organisation (nor refresh its connection); reactivated, it can again. The
 * group reads from the beginning the first time, so a new deployment catches up with the directory;
 * applying a status is idempotent, so redelivery after a crash is harmless.
 */
@Injectable()
export class DirectoryStatusSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(DirectoryStatusSubscriber.name);
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly accounts: AccountsStore,
    @Inject(DIRECTORY_STATUS_CONSUMER) private readonly consumer: IdentityEventsConsumer,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: sign-in must not wait for Kafka (a broker outage only delays the statuses).
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.consumer.stop().catch(() => undefined);
  }

  async handle(event: IdentityEvent): Promise<void> {
    const status = accountStatusOf(event);
    if (!status) return;
    const changed = await this.accounts.setDirectoryStatus(status.organisationId, status.accountId, status.deactivated, new Date(event.time));
    if (changed) this.log.log({ msg: `account ${status.deactivated ? 'deactivated' : 'active'} in its organisation's directory`, tenantId: status.organisationId, userId: status.accountId, eventId: event.id });
  }

  private async start(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.consumer.start((event) => this.handle(event));
      this.log.log(`subscribed to ${TOPICS.identityEvents.name}`);
    } catch (error) {
      this.log.warn(`cannot subscribe to ${TOPICS.identityEvents.name} yet (retrying in 5 s): ${error instanceof Error ? error.message : String(error)}`);
      await this.consumer.stop().catch(() => undefined);
      this.retry = setTimeout(() => void this.start(), 5_000);
      this.retry.unref();
    }
  }
}
