import { Module } from '@nestjs/common';
import { operationsController } from '../../platform/integrations/operations/operations.controller';
import { modelApiController } from '../../platform/models/http/model-api.controller';
import { ModelsGrpcService } from '../../platform/models/models.grpc-service';

/**
 * The OllamaIntegrationService role: the chat-completions surface under /ollama/v1, the ollama
 * operations, and the gRPC Models service (one per process, whichever model roles run). Its calls may
 * run on any model connection of the tenant (a route's fallback crosses providers); the descriptor does
 * the translation, in every role.
 */
@Module({
  controllers: [modelApiController('ollama'), operationsController('ollama', ['ollama'])],
  providers: [ModelsGrpcService],
})
export class OllamaIntegrationModule {
  /** Connection configuration carries everything per vendor account (base URL, API version, limits): no process options. */
  static readonly options = [];
}
