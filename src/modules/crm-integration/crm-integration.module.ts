import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { operationsController } from '../../platform/integrations/operations/operations.controller';
import { CrmIntegrationOptions } from './crm-integration.options';

/** The CrmIntegrationService role: the HubSpot operations under /hubspot (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('hubspot', ['hubspot'])],
  providers: [provideOptions(CrmIntegrationOptions)],
  exports: [CrmIntegrationOptions],
})
export class CrmIntegrationModule {
  static readonly options = [CrmIntegrationOptions];
}
