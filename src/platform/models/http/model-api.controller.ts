import { Body, Controller, Get, Headers, HttpCode, Post, Res, Type, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RequireScopes } from '../../auth/decorators';
import { ApiErrorSchema } from '../../openapi/error-responses';
import { nameController } from '../../http/controller-name';
import { ModelAnswerMeta, ModelSelector, ModelStream, ModelStreamInterrupted } from '../model-calls';
import { chunkText } from '../chunk-text';
import { ModelGateway } from '../model-gateway';
import type { ChatCompletion, EmbeddingResult, ModelInfo } from '../model-wire';
import { ModelApiErrorFilter } from './model-api-error.filter';
import { parseChatRequest, parseEmbeddingRequest } from './model-api-requests';
import { CHAT_COMPLETION_SCHEMA, CHAT_REQUEST_SCHEMA, EMBEDDINGS_REQUEST_SCHEMA, EMBEDDINGS_SCHEMA, MODEL_API_ERROR_SCHEMA, MODEL_LIST_SCHEMA } from './model-api.openapi';
import { SseWriter } from '../../http/sse-writer';

/** The header that names the connection a call runs on; without it, `model` names a model route. */
export const CONNECTION_HEADER = 'x-connection-id';

/**
 * The chat-completions HTTP surface of a model role, under `/{prefix}/v1`: the official SDKs work against
 * it unchanged (base URL `…/{prefix}/v1`, a platform JWT as the API key).
 *   POST /{prefix}/v1/chat/completions   streamed (server-sent events) or not
 *   POST /{prefix}/v1/embeddings         float or base64 vectors
 *   GET  /{prefix}/v1/models             the connection's models, or the tenant's model routes
 */
export function modelApiController(prefix: string): Type<unknown> {
  @Controller(`${prefix}/v1`)
  @UseFilters(ModelApiErrorFilter)
  @ApiErrorSchema(MODEL_API_ERROR_SCHEMA)
  @ApiHeader({ name: CONNECTION_HEADER, required: false, description: 'The connection the call runs on; without it, `model` names a model route' })
  class ModelApiController {
    constructor(private readonly gateway: ModelGateway) {}

    @Post('chat/completions')
    @HttpCode(200)
    @RequireScopes('integration.runs.execute')
    @ApiOperation({ summary: 'A chat completion through the model gateway (the chat-completions wire format; `stream: true` answers server-sent events)' })
    @ApiBody({ schema: CHAT_REQUEST_SCHEMA })
    @ApiOkResponse({
      content: { 'application/json': { schema: CHAT_COMPLETION_SCHEMA }, 'text/event-stream': { schema: { type: 'string' } } },
      description: 'The completion, or its chunks as events',
    })
    async chat(
      @Body() body: unknown,
      @Headers(CONNECTION_HEADER) connectionId: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<ChatCompletion | undefined> {
      const { model, call, stream } = parseChatRequest(body);
      const selector: ModelSelector = { model, connectionId: connectionId || undefined };
      if (!stream) {
        const answer = await this.gateway.complete(selector, call);
        reply.headers(answerHeaders(answer));
        return answer.completion;
      }
      const abort = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableEnded) abort.abort();
      };
      reply.raw.once('close', onClose);
      const started = await this.gateway.stream(selector, call, { signal: abort.signal });
      await relay(reply, started);
      reply.raw.off('close', onClose);
      return undefined;
    }

    @Post('embeddings')
    @HttpCode(200)
    @RequireScopes('integration.runs.execute')
    @ApiOperation({ summary: 'Embeddings through the model gateway' })
    @ApiBody({ schema: EMBEDDINGS_REQUEST_SCHEMA })
    @ApiOkResponse({ schema: EMBEDDINGS_SCHEMA })
    async embeddings(@Body() body: unknown, @Headers(CONNECTION_HEADER) connectionId: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
      const { model, call, encoding } = parseEmbeddingRequest(body);
      const answer = await this.gateway.embed({ model, connectionId: connectionId || undefined }, call);
      reply.headers(answerHeaders(answer));
      return embeddingsBody(answer.result, encoding);
    }

    @Get('models')
    @RequireScopes('integration.runs.read')
    @ApiOperation({ summary: "The connection's models, or the tenant's model routes" })
    @ApiOkResponse({ schema: MODEL_LIST_SCHEMA })
    async models(@Headers(CONNECTION_HEADER) connectionId: string | undefined): Promise<{ object: 'list'; data: (ModelInfo & { object: 'model' })[] }> {
      const { models } = await this.gateway.listModels(connectionId || undefined);
      return { object: 'list', data: models.map(({ id, created, owned_by }) => ({ id, object: 'model' as const, created, owned_by })) };
    }
  }
  nameController(ModelApiController, prefix, 'ModelApiController');
  return ModelApiController;
}

/** The gateway request, the answering run and the vendor's rate-limit headers, on every answer. */
function answerHeaders(answer: ModelAnswerMeta): Record<string, string> {
  const headers: Record<string, string> = { ...answer.rateLimitHeaders, 'x-request-id': answer.requestId };
  const runId = answer.attempts.at(-1)?.runId;
  if (runId) headers['x-integration-run-id'] = runId;
  return headers;
}

/**
 * The stream as server-sent events, ending `data: [DONE]` only when the vendor's stream ended properly;
 * a cut, an error or a stall after the first token ends with an error event instead, never a clean end.
 */
async function relay(reply: FastifyReply, stream: ModelStream): Promise<void> {
  reply.hijack();
  const writer = new SseWriter(reply.raw);
  writer.start(answerHeaders(stream));
  try {
    for await (const batch of stream.batches()) {
      if (writer.closed) break;
      await writer.data(batch.map(chunkText));
    }
    await writer.data(['[DONE]']);
  } catch (caught) {
    if (!(caught instanceof ModelStreamInterrupted)) throw caught;
    await writer.data([JSON.stringify({ error: { message: caught.message, type: 'upstream_error', param: null, code: caught.code } })]);
  } finally {
    if (writer.closed) stream.cancel();
    writer.end();
  }
}

function embeddingsBody(result: EmbeddingResult, encoding: 'float' | 'base64') {
  return {
    object: 'list' as const,
    model: result.model,
    data: result.data.map(({ index, embedding }) => ({ object: 'embedding' as const, index, embedding: encoding === 'base64' ? base64Of(embedding) : embedding })),
    usage: result.usage,
  };
}

/** The vector as little-endian float32 bytes, base64: what the chat-completions API sends for `encoding_format: base64`. */
function base64Of(vector: readonly number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
