import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { WebhookDeliveryOptions } from './webhook-delivery.options';

/** The WebhookDeliveryWorker role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(WebhookDeliveryOptions)],
  exports: [WebhookDeliveryOptions],
})
export class WebhookDeliveryWorkerModule {
  static readonly options = [WebhookDeliveryOptions];
}
