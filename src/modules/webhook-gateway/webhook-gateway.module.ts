import { Module } from '@nestjs/common';
import { loadOptions } from '../../platform/config/options';
import { provideOptions } from '../../platform/config/options.provider';
import { PublicUrlOptions } from '../../platform/webhooks/public-url.options';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { DeliveriesService } from './deliveries/deliveries.service';
import { EventFanOut } from './fan-out/event-fan-out';
import { EventsController } from './fan-out/events.controller';
import { PlatformEventsHandler } from './fan-out/platform-events.handler';
import { InboundPayloadStore } from './ingest/inbound-payload-store';
import { IngestController } from './ingest/ingest.controller';
import { KnownDeliveries } from './ingest/known-deliveries';
import { PublicIngestRoute } from './ingest/public-ingest.route';
import { WebhookIngestion } from './ingest/webhook-ingestion';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsService } from './subscriptions/subscriptions.service';
import { WebhookGatewayOptions } from './webhook-gateway.options';

/**
 * The WebhookGatewayService role: verified inbound ingestion (public vendor callbacks and a trusted
 * edge), outbound subscriptions, fan-out of platform and factory events to them, and the deliveries API.
 */
@Module({
  controllers: [IngestController, SubscriptionsController, EventsController, DeliveriesController, PlatformEventsHandler],
  providers: [
    provideOptions(WebhookGatewayOptions),
    provideOptions(PublicUrlOptions),
    WebhookIngestion,
    InboundPayloadStore,
    KnownDeliveries,
    PublicIngestRoute,
    SubscriptionsService,
    EventFanOut,
    DeliveriesService,
  ],
  exports: [WebhookGatewayOptions, EventFanOut, InboundPayloadStore],
})
export class WebhookGatewayModule {
  static readonly options = [WebhookGatewayOptions, PublicUrlOptions];
  /** Read as raw bytes, not parsed: the signature is over the exact bytes the vendor sent. */
  static readonly rawBodyRoutes = [{ path: '/webhooks/ingest', limitBytes: () => loadOptions(WebhookGatewayOptions).maxBodyBytes }];
}
