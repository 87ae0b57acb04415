import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { PaymentIntegrationOptions } from './payment-integration.options';

/** The PaymentIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(PaymentIntegrationOptions)],
  exports: [PaymentIntegrationOptions],
})
export class PaymentIntegrationModule {
  static readonly options = [PaymentIntegrationOptions];
}
