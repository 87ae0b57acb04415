import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/** The AzureDevOpsIntegrationService role: the Azure DevOps operations under /azure-devops (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('azure-devops', ['azure-devops'])],
})
export class AzureDevOpsIntegrationModule {
  /** Connection configuration carries everything per vendor account (base URL, API version): no process options. */
  static readonly options = [];
}
