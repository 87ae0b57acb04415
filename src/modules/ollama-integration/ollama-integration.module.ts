import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ModelsGrpcService } from '../../platform/models/models.grpc-service';
import { OllamaIntegrationOptions } from './ollama-integration.options';

/** The OllamaIntegrationService role. It serves the gRPC Models service (once per process, whichever model roles run); its HTTP surface lands with its own issue. */
@Module({
  providers: [provideOptions(OllamaIntegrationOptions), ModelsGrpcService],
  exports: [OllamaIntegrationOptions],
})
export class OllamaIntegrationModule {
  static readonly options = [OllamaIntegrationOptions];
}
