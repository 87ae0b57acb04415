import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { operationsController } from '../../platform/integrations/operations/operations.controller';
import { SupportIntegrationOptions } from './support-integration.options';

/** The SupportIntegrationService role: the Zendesk operations under /zendesk (the descriptor does the rest, in every role). */
@Module({
  controllers: [operationsController('zendesk', ['zendesk'])],
  providers: [provideOptions(SupportIntegrationOptions)],
  exports: [SupportIntegrationOptions],
})
export class SupportIntegrationModule {
  static readonly options = [SupportIntegrationOptions];
}
