import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ModelsGrpcService } from '../../platform/models/models.grpc-service';
import { OpenAIIntegrationOptions } from './openai-integration.options';

/** The OpenAIIntegrationService role. It serves the gRPC Models service (once per process, whichever model roles run); its HTTP surface lands with its own issue. */
@Module({
  providers: [provideOptions(OpenAIIntegrationOptions), ModelsGrpcService],
  exports: [OpenAIIntegrationOptions],
})
export class OpenAIIntegrationModule {
  static readonly options = [OpenAIIntegrationOptions];
}
