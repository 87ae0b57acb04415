import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ConsumerSettings } from '../../platform/messaging/consumer-settings';
import { routeFor, sourcePath } from '../../platform/messaging/topology';
import { COMMANDS } from '../../platform/messaging/contracts';
import { DeliverWebhookHandler } from './deliver-webhook.handler';
import { EndpointSlots } from './endpoint-slots';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookDeliveryOptions } from './webhook-delivery.options';

/**
 * The WebhookDeliveryWorker role: consumes DeliverWebhook, signs and POSTs outbound webhooks, retries on
 * WEBHOOK_RETRY_SCHEDULE through scheduled commands, dead-letters and auto-disables subscriptions.
 */
@Module({
  controllers: [DeliverWebhookHandler],
  providers: [provideOptions(WebhookDeliveryOptions), EndpointSlots, WebhookDeliverer],
  exports: [WebhookDeliveryOptions, WebhookDeliverer],
})
export class WebhookDeliveryWorkerModule {
  static readonly options = [WebhookDeliveryOptions];

  /** The consumer runs at WEBHOOK_DELIVERY_CONCURRENCY, not BUS_CONCURRENCY. */
  constructor(consumers: ConsumerSettings, options: WebhookDeliveryOptions) {
    const route = routeFor(COMMANDS.DeliverWebhook);
    if (route?.kind !== 'queue') throw new Error(`${COMMANDS.DeliverWebhook} is not a command of the bus topology`);
    consumers.set(sourcePath({ queue: route.definition.name }), { concurrency: options.concurrency });
  }
}
