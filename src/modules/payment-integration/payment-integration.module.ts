import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/** The PaymentIntegrationService role: the Stripe operations under /stripe (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('stripe', ['stripe'])],
})
export class PaymentIntegrationModule {
  /** Connection configuration carries everything per Stripe account (the pinned API version): no process options. */
  static readonly options = [];
}
