import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import type { BusContext } from '../../platform/messaging/bus.server';
import { COMMANDS } from '../../platform/messaging/contracts';
import { DeliverWebhookCommand, isDeliverWebhookCommand } from '../../platform/webhooks/deliver-webhook.command';
import { WebhookDeliverer } from './webhook-deliverer';

/** The WebhookDeliveryWorker's consumer: one DeliverWebhook is one attempt of one outbound delivery. */
@Controller()
export class DeliverWebhookHandler {
  constructor(private readonly deliverer: WebhookDeliverer) {}

  @MessagePattern(COMMANDS.DeliverWebhook)
  async deliver(@Payload() command: DeliverWebhookCommand, @Ctx() context: BusContext): Promise<void> {
    if (!isDeliverWebhookCommand(command)) {
      throw new PoisonMessageError('invalid_command', 'DeliverWebhook needs a deliveryId, a series and an attempt (positive integers)');
    }
    const tenantId = RequestContext.current()?.tenantId;
    if (!tenantId) throw new PoisonMessageError('invalid_command', 'DeliverWebhook carries no tenant');
    RequestContext.bindIds({ deliveryId: command.deliveryId });
    await this.deliverer.deliver(tenantId, { deliveryId: command.deliveryId, series: command.series, attempt: command.attempt }, context.message.messageId);
  }
}
