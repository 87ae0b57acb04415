import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { OllamaIntegrationOptions } from './ollama-integration.options';

/** The OllamaIntegrationService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(OllamaIntegrationOptions)],
  exports: [OllamaIntegrationOptions],
})
export class OllamaIntegrationModule {
  static readonly options = [OllamaIntegrationOptions];
}
