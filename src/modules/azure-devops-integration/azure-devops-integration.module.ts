import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { operationsController } from '../../platform/integrations/operations/operations.controller';
import { AzureDevOpsIntegrationOptions } from './azure-devops-integration.options';

/** The AzureDevOpsIntegrationService role: the Azure DevOps operations under /azure-devops (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('azure-devops', ['azure-devops'])],
  providers: [provideOptions(AzureDevOpsIntegrationOptions)],
  exports: [AzureDevOpsIntegrationOptions],
})
export class AzureDevOpsIntegrationModule {
  static readonly options = [AzureDevOpsIntegrationOptions];
}
