import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryAttempt } from './entities/delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookSubscription } from './entities/webhook-subscription.entity';
import { SubscriptionSecrets } from './subscription-secrets';

/** What the webhook gateway and the delivery worker share: the webhook tables and subscription signing secrets. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookDelivery, DeliveryAttempt])],
  providers: [SubscriptionSecrets],
  exports: [TypeOrmModule, SubscriptionSecrets],
})
export class WebhooksModule {}
