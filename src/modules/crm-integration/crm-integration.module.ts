import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { CrmIntegrationOptions } from './crm-integration.options';

/** The CrmIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(CrmIntegrationOptions)],
  exports: [CrmIntegrationOptions],
})
export class CrmIntegrationModule {
  static readonly options = [CrmIntegrationOptions];
}
