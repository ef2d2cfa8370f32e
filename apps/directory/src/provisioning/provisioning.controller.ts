import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { BatchOutcome, ConsumedMessage } from '@taskize/kafka';
import { TOPICS } from '@taskize/topics';
import { ProvisioningApplier } from './provisioning.applier';

/** Provisioning events arrive through KafkaBatchServer, a chunk at a time, in partition order. */
@Controller()
export class ProvisioningController {
  constructor(private readonly applier: ProvisioningApplier) {}

  @MessagePattern(TOPICS.provisioning.name)
  handle(messages: ConsumedMessage[]): Promise<BatchOutcome> {
    return this.applier.applyChunk(messages);
  }
}
