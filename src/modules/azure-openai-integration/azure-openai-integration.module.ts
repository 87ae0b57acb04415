import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ModelsGrpcService } from '../../platform/models/models.grpc-service';
import { AzureOpenAIIntegrationOptions } from './azure-openai-integration.options';

/** The AzureOpenAIIntegrationService role. It serves the gRPC Models service (once per process, whichever model roles run); its HTTP surface lands with its own issue. */
@Module({
  providers: [provideOptions(AzureOpenAIIntegrationOptions), ModelsGrpcService],
  exports: [AzureOpenAIIntegrationOptions],
})
export class AzureOpenAIIntegrationModule {
  static readonly options = [AzureOpenAIIntegrationOptions];
}
