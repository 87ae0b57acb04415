import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { EmailIntegrationOptions } from './email-integration.options';

/** The EmailIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(EmailIntegrationOptions)],
  exports: [EmailIntegrationOptions],
})
export class EmailIntegrationModule {
  static readonly options = [EmailIntegrationOptions];
}
