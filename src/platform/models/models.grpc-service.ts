import { GrpcAnswer, GrpcCallScope, GrpcMethods, GrpcStreamWriter, serverStream, unary } from '../grpc/grpc-methods';
import { GrpcService, GrpcServiceImplementation } from '../grpc/grpc-service.decorator';
import type { ModelCallOptions } from './model-calls';
import { ModelGateway } from './model-gateway';
import { toGrpcFailure } from './grpc/model-call-status';
import {
  CompleteRequestMessage,
  CompleteResponseMessage,
  EmbedRequestMessage,
  EmbedResponseMessage,
  ListModelsRequestMessage,
  ListModelsResponseMessage,
  MODELS_PROTO,
  MODELS_SERVICE,
  StreamEventMessage,
} from './grpc/models-proto.messages';
import { toChatCall, toEmbeddingCall, toSelector } from './grpc/proto-to-wire';
import { answerTrailers, toCompleteResponse, toEmbedResponse, toListModelsResponse, toStreamEvents, toStreamStart } from './grpc/wire-to-proto';

/** integration.models.v1.Models: the proto messages translated to and from the gateway's neutral calls. */
@GrpcService({ service: MODELS_SERVICE, protoFile: MODELS_PROTO })
export class ModelsGrpcService implements GrpcServiceImplementation {
  constructor(private readonly gateway: ModelGateway) {}

  methods(): GrpcMethods {
    return {
      Complete: unary('integration.runs.execute', (request: CompleteRequestMessage, call) => this.complete(request, call)),
      Stream: serverStream('integration.runs.execute', (request: CompleteRequestMessage, writer: GrpcStreamWriter<StreamEventMessage>, call) => this.stream(request, writer, call)),
      Embed: unary('integration.runs.execute', (request: EmbedRequestMessage, call) => this.embed(request, call)),
      ListModels: unary('integration.runs.read', (request: ListModelsRequestMessage, call) => this.listModels(request, call)),
    };
  }

  private async complete(request: CompleteRequestMessage, call: GrpcCallScope): Promise<GrpcAnswer<CompleteResponseMessage>> {
    const selector = toSelector(request);
    const chat = toChatCall(request, { stream: false });
    const answer = await this.gateway.complete(selector, chat, callOptions(call)).catch((error: unknown) => Promise.reject(toGrpcFailure(error)));
    return { response: toCompleteResponse(answer), trailers: answerTrailers(answer) };
  }

  private async stream(request: CompleteRequestMessage, writer: GrpcStreamWriter<StreamEventMessage>, call: GrpcCallScope): Promise<void> {
    const selector = toSelector(request);
    const chat = toChatCall(request, { stream: true });
    const stream = await this.gateway.stream(selector, chat, callOptions(call)).catch((error: unknown) => Promise.reject(toGrpcFailure(error)));
    const cancel = () => stream.cancel();
    if (call.signal.aborted) cancel();
    call.signal.addEventListener('abort', cancel, { once: true });
    try {
      await writer.write({ start: toStreamStart(stream) });
      for await (const chunk of stream) {
        for (const event of toStreamEvents(chunk, request.include_usage)) await writer.write(event);
      }
      writer.setTrailers(answerTrailers(stream));
    } catch (error) {
      throw toGrpcFailure(error, stream.requestId);
    } finally {
      call.signal.removeEventListener('abort', cancel);
    }
  }

  private async embed(request: EmbedRequestMessage, call: GrpcCallScope): Promise<GrpcAnswer<EmbedResponseMessage>> {
    const selector = toSelector(request);
    const embedding = toEmbeddingCall(request);
    const answer = await this.gateway.embed(selector, embedding, callOptions(call)).catch((error: unknown) => Promise.reject(toGrpcFailure(error)));
    return { response: toEmbedResponse(answer), trailers: answerTrailers(answer) };
  }

  private async listModels(request: ListModelsRequestMessage, call: GrpcCallScope): Promise<GrpcAnswer<ListModelsResponseMessage>> {
    const answer = await this.gateway.listModels(request.connection_id || undefined, callOptions(call)).catch((error: unknown) => Promise.reject(toGrpcFailure(error)));
    return { response: toListModelsResponse(answer) };
  }
}

function callOptions(call: GrpcCallScope): ModelCallOptions {
  return call.deadline === undefined ? { signal: call.signal } : { signal: call.signal, deadline: call.deadline };
}
