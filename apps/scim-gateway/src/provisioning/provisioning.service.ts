import { metrics } from '@taskize/observability';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Publisher, ReplyListener } from '@taskize/kafka';
import {
  HEADER_CORRELATION_ID,
  HEADER_EVENT_TYPE,
  HEADER_REPLY_TO,
  HEADER_TRACEPARENT,
  encodeEvent,
  type ProvisioningEvent,
  type ProvisioningEventType,
  type ProvisioningOutcome,
  type ProvisioningPayloads,
} from '@taskize/provisioning-contracts';
import { ScimErrors, errorFromBody } from '@taskize/scim-core';
import { TOPICS } from '@taskize/topics';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../config';
import { DirectoryClient } from '../directory/directory.client';
import { CONFIG, KAFKA } from '../shared/tokens';

/**
 * The write path: emit a provisioning event keyed by tenant, wait for the directory's committed
 * outcome, answer with it. A 2xx therefore always means committed. When no reply arrives in time
 * the stored outcome is looked up from the directory; failing that, 503 + Retry-After — the event
 * may still be applied later, which a client retry handles (Okta looks the user up first; a
 * duplicate create answers 409). See docs/adr/0002-reply-path.md.
 */
@Injectable()
export class ProvisioningService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(ProvisioningService.name);
  private readonly publisher: Publisher;
  private readonly replies: ReplyListener;

  constructor(
    @Inject(CONFIG) private readonly cfg: GatewayConfig,
    @Inject(KAFKA) kafka: Kafka,
    private readonly directory: DirectoryClient,
  ) {
    this.publisher = new Publisher(kafka);
    this.replies = new ReplyListener(kafka, TOPICS.provisioningReplies.name, cfg.INSTANCE_ID);
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.replies.start()]);
    this.log.log(`reply listener ready as ${this.cfg.INSTANCE_ID}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.replies.stop(), this.publisher.disconnect()]);
  }

  /** `submit`, with an error outcome (4xx from the directory) thrown as the same ScimError. */
  async write<T extends ProvisioningEventType>(
    tenantId: string,
    type: T,
    payload: ProvisioningPayloads[T],
    ctx: { requestId?: string; traceparent?: string } = {},
  ): Promise<ProvisioningOutcome> {
    const outcome = await this.submit(tenantId, type, payload, ctx);
    if (outcome.status >= 400) throw errorFromBody(outcome.body, outcome.status);
    return outcome;
  }

  async submit<T extends ProvisioningEventType>(
    tenantId: string,
    type: T,
    payload: ProvisioningPayloads[T],
    ctx: { requestId?: string; traceparent?: string } = {},
  ): Promise<ProvisioningOutcome> {
    const event: ProvisioningEvent<T> = {
      id: randomUUID(),
      type,
      tenantId,
      occurredAt: new Date().toISOString(),
      replyTo: this.cfg.INSTANCE_ID,
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      payload,
    };
    // Built only when needed: an Error captures a stack trace, which showed in the gateway's CPU profile.
    const unavailable = () => ScimErrors.serviceUnavailable('provisioning is temporarily unavailable, retry later', this.cfg.RETRY_AFTER_SECONDS);
    // Listen first: the reply can arrive before send() returns.
    const reply = this.replies.expect(event.id, this.cfg.REPLY_TIMEOUT_MS);
    const produced = process.hrtime.bigint();
    try {
      await this.publisher.publish(
        TOPICS.provisioning.name,
        [
          {
            key: tenantId,
            value: encodeEvent(event),
            headers: {
              [HEADER_CORRELATION_ID]: event.id,
              [HEADER_REPLY_TO]: this.cfg.INSTANCE_ID,
              [HEADER_EVENT_TYPE]: type,
              ...(ctx.traceparent ? { [HEADER_TRACEPARENT]: ctx.traceparent } : {}),
            },
          },
        ],
        this.cfg.PRODUCE_TIMEOUT_MS,
      );
    } catch (error) {
      this.replies.cancel(event.id);
      this.log.warn(`produce failed for ${event.id}: ${error instanceof Error ? error.message : String(error)}`);
      throw unavailable();
    }
    const outcome = await reply;
    const waited = () => Number(process.hrtime.bigint() - produced) / 1e9;
    if (outcome) {
      metrics.replyWait().observe({ via: 'reply' }, waited());
      return outcome;
    }
    this.log.warn(`no reply for ${event.id} within ${this.cfg.REPLY_TIMEOUT_MS} ms; looking up the stored outcome`);
    const stored = await this.directory.findOutcome(tenantId, event.id, ctx.requestId).catch(() => undefined);
    metrics.replyWait().observe({ via: stored ? 'stored' : 'none' }, waited());
    if (stored) return stored;
    throw unavailable();
  }
}
