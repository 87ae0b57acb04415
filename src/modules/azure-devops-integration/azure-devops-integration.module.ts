import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { AzureDevOpsIntegrationOptions } from './azure-devops-integration.options';

/** The AzureDevOpsIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(AzureDevOpsIntegrationOptions)],
  exports: [AzureDevOpsIntegrationOptions],
})
export class AzureDevOpsIntegrationModule {
  static readonly options = [AzureDevOpsIntegrationOptions];
}
