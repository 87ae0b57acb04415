import type { ChatCall, CompletionAnswer, EmbeddingAnswer, EmbeddingCall, ModelCallOptions, ModelListAnswer, ModelSelector, ModelStream } from './model-calls';

/**
 * The model gateway's port: what the chat-completions HTTP surface, the gRPC Models service and the
 * catalogue's operations call. The tenant is the one in scope (RequestContext). Failures before an
 * answer are ModelCallError; a started stream that does not end properly throws ModelStreamInterrupted
 * from its iterator.
 */
export abstract class ModelGateway {
  abstract complete(selector: ModelSelector, call: ChatCall, options?: ModelCallOptions): Promise<CompletionAnswer>;
  /** Resolves when the first chunk has arrived: fallbacks happen before that, never after. */
  abstract stream(selector: ModelSelector, call: ChatCall, options?: ModelCallOptions): Promise<ModelStream>;
  abstract embed(selector: ModelSelector, call: EmbeddingCall, options?: ModelCallOptions): Promise<EmbeddingAnswer>;
  /** The models of one connection (its vendor's list), or without one the tenant's model routes. */
  abstract listModels(connectionId?: string, options?: ModelCallOptions): Promise<ModelListAnswer>;
}
