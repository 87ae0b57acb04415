import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/** The CrmIntegrationService role: the HubSpot operations under /hubspot (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('hubspot', ['hubspot'])],
})
export class CrmIntegrationModule {
  /** Connection configuration carries everything per HubSpot account (base URL, page size): no process options. */
  static readonly options = [];
}
