import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Publisher } from '@taskize/kafka';
import { HEADER_CORRELATION_ID, HEADER_EVENT_TYPE, accountLinkedEvent, encodeEvent } from '@taskize/provisioning-contracts';
import { TOPICS } from '@taskize/topics';
import { AccountsStore } from '../accounts/accounts.store';

export const ACCOUNT_LINKS_PUBLISHER = Symbol('ACCOUNT_LINKS_PUBLISHER');
export const ACCOUNT_LINKS_INTERVAL_MS = Symbol('ACCOUNT_LINKS_INTERVAL_MS');

const BATCH = 100;
const PRODUCE_TIMEOUT_MS = 10_000;

/**
 * One person, one identity (issue 5 item 7), the auth → directory half: every membership (the admin who
 * connects Okta, anyone added with `user:create`, whichever process wrote it) becomes an AccountLinked
 * provisioning event on the same topic and key as the gateway's writes, so the directory applies it in
 * order with the tenant's SCIM changes. The membership row is the outbox: it is marked only after the
 * broker acknowledged, and a crash in between publishes the same event again (ids are derived from
 * tenant and account), which the directory's dedupe by event id applies once. Several auth instances
 * may race here for the same reason without harm.
 */
@Injectable()
export class AccountLinksPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(AccountLinksPublisher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly accounts: AccountsStore,
    @Inject(ACCOUNT_LINKS_PUBLISHER) private readonly publisher: Publisher,
    @Inject(ACCOUNT_LINKS_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.publisher.disconnect().catch(() => undefined);
  }

  /** Publishes up to one batch of pending links; returns how many. */
  async publishPending(now = new Date()): Promise<number> {
    const pending = await this.accounts.pendingDirectoryLinks(BATCH);
    if (!pending.length) return 0;
    const events = pending.map((p) => accountLinkedEvent({ tenantId: p.organisationId, accountId: p.userId, email: p.email, occurredAt: now }));
    await this.publisher.publish(
      TOPICS.provisioning.name,
      events.map((e) => ({ key: e.tenantId, value: encodeEvent(e), headers: { [HEADER_CORRELATION_ID]: e.id, [HEADER_EVENT_TYPE]: e.type } })),
      PRODUCE_TIMEOUT_MS,
    );
    await this.accounts.markDirectoryLinked(pending, new Date());
    this.log.log(`published ${pending.length} account link(s) to the directory`);
    return pending.length;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.publishPending()
        .then((n) => {
          if (this.failing) this.log.log('account links are being published again');
          this.failing = false;
          this.schedule(n === BATCH ? 0 : this.intervalMs);
        })
        .catch((error: unknown) => {
          // Kafka or MySQL away: nothing was marked, so the next round publishes the same links.
          if (!this.failing) this.log.warn(`account links not published yet: ${error instanceof Error ? error.message : String(error)}`);
          this.failing = true;
          this.schedule(Math.max(this.intervalMs, 2_000));
        });
    }, delayMs);
    this.timer.unref();
  }
}
