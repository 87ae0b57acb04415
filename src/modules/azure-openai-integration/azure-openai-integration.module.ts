import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { AzureOpenAIIntegrationOptions } from './azure-openai-integration.options';

/** The AzureOpenAIIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(AzureOpenAIIntegrationOptions)],
  exports: [AzureOpenAIIntegrationOptions],
})
export class AzureOpenAIIntegrationModule {
  static readonly options = [AzureOpenAIIntegrationOptions];
}
