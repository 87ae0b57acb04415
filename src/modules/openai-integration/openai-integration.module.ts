import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { OpenAIIntegrationOptions } from './openai-integration.options';

/** The OpenAIIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(OpenAIIntegrationOptions)],
  exports: [OpenAIIntegrationOptions],
})
export class OpenAIIntegrationModule {
  static readonly options = [OpenAIIntegrationOptions];
}
