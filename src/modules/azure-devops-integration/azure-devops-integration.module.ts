import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/**
 * The AzureDevOpsIntegrationService role: the Azure DevOps operations under /azure-devops (the
 * descriptor does the rest, in every role). It has no options of its own: the organisation, the
 * api-version and the projects are each connection's configuration.
 */
@Module({
  controllers: [operationsController('azure-devops', ['azure-devops'])],
})
export class AzureDevOpsIntegrationModule {
  static readonly options = [];
}
