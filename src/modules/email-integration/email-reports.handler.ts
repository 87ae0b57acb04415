import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '../../platform/events/cloud-event';
import type { BusContext } from '../../platform/messaging/bus.server';
import { EVENTS } from '../../platform/messaging/contracts';
import { DeliveryReports } from '../../platform/messages/delivery-reports';
import { EmailSenders } from './email-senders';

/** Verified webhooks of email providers that report delivery (Event Grid's email delivery reports) moving messages forward. */
@Controller()
export class EmailReportsHandler {
  constructor(
    private readonly reports: DeliveryReports,
    private readonly senders: EmailSenders,
  ) {}

  @EventPattern(EVENTS.WebhookReceived, { role: 'EmailIntegrationService' })
  async received(@Payload() event: CloudEvent, @Ctx() context: BusContext): Promise<void> {
    await this.reports.apply(event, 'email', this.senders.readers, context.message.deliveryCount);
  }
}
