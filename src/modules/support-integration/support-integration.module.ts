import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';

/** The SupportIntegrationService role: the Zendesk operations under /zendesk (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('zendesk', ['zendesk'])],
})
export class SupportIntegrationModule {
  /** Connection configuration carries everything per Zendesk account (subdomain, page size): no process options. */
  static readonly options = [];
}
