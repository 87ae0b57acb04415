import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { SmsIntegrationOptions } from './sms-integration.options';

/** The SmsIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(SmsIntegrationOptions)],
  exports: [SmsIntegrationOptions],
})
export class SmsIntegrationModule {
  static readonly options = [SmsIntegrationOptions];
}
