import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { SupportIntegrationOptions } from './support-integration.options';

/** The SupportIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(SupportIntegrationOptions)],
  exports: [SupportIntegrationOptions],
})
export class SupportIntegrationModule {
  static readonly options = [SupportIntegrationOptions];
}
