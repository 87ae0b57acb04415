import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '../../platform/events/cloud-event';
import type { BusContext } from '../../platform/messaging/bus.server';
import { EVENTS } from '../../platform/messaging/contracts';
import { DeliveryReports } from '../../platform/messages/delivery-reports';
import { SmsSenders } from './sms-senders';

/** Verified webhooks of SMS providers that report delivery (Twilio status callbacks, Event Grid SMS delivery reports) moving messages forward. */
@Controller()
export class SmsReportsHandler {
  constructor(
    private readonly reports: DeliveryReports,
    private readonly senders: SmsSenders,
  ) {}

  @EventPattern(EVENTS.WebhookReceived, { role: 'SmsIntegrationService' })
  async received(@Payload() event: CloudEvent, @Ctx() context: BusContext): Promise<void> {
    await this.reports.apply(event, 'sms', this.senders.readers, context.message.deliveryCount);
  }
}
