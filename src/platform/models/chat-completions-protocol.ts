import type { GovernedRequest } from '../integrations/governed/governed-request';
import type { OperationContext } from '../vendors/vendor-descriptor';
import { ChatCompletionsStreamDecoder } from './chat-completions-stream';
import { parseErrorBody, readErrorObject } from './model-errors';
import { isRecord, jsonPost, numberOr } from './model-json';
import { ModelAnswerError, ModelProtocol } from './model-protocol';
import type { ChatCompletion, Embedding, EmbeddingRequest, EmbeddingResult, ModelInfo } from './model-wire';

type Configuration = OperationContext['configuration'];

/** Where one API speaking the chat-completions wire format serves chat, embeddings and its model list. */
export interface ChatCompletionsSettings {
  chatPath(model: string, configuration: Configuration): string;
  embeddingsPath(model: string, configuration: Configuration): string;
  modelsPath(configuration: Configuration): string;
  /** False when the path names the model (a deployment) and the body's `model` would only repeat it. */
  readonly modelInBody: boolean;
  /** `owned_by` of a listed model whose entry names no owner. */
  readonly ownedBy: string;
}

/**
 * The protocol of an API that speaks the gateway's own wire format: requests go as they are (fields the
 * gateway does not know ride along), answers are checked for their shape and kept whole.
 */
export function chatCompletionsProtocol(settings: ChatCompletionsSettings): ModelProtocol {
  const withModel = (model: string) => (settings.modelInBody ? { model } : {});
  return {
    chatRequest: (request, { configuration }) => {
      const { model, stream_options: streamOptions, ...fields } = request;
      const path = settings.chatPath(model, configuration);
      // stream_options is refused on a call that does not stream; on one that does, usage is always asked for.
      if (request.stream !== true) return jsonPost(path, { ...withModel(model), ...fields });
      return jsonPost(path, { ...withModel(model), ...fields, stream_options: { ...streamOptions, include_usage: true } }, 'text/event-stream');
    },
    chatResult: (body) => completionOf(body),
    streamDecoder: () => new ChatCompletionsStreamDecoder(),
    embedRequest: ({ model, input, dimensions, user }, { configuration }) =>
      // Always floats: base64 is an encoding the gateway applies for the callers who ask for it.
      jsonPost(settings.embeddingsPath(model, configuration), { ...withModel(model), input, dimensions, user, encoding_format: 'float' }),
    embedResult: (body, request) => embeddingsOf(body, request),
    modelsRequest: ({ configuration }): GovernedRequest => ({ method: 'GET', path: settings.modelsPath(configuration), headers: { accept: 'application/json' } }),
    modelsResult: (body) => modelsOf(body, settings.ownedBy),
    errorOf: ({ status, body }) => readErrorObject(status, parseErrorBody(body)),
  };
}

function completionOf(body: unknown): ChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.choices) || !body.choices.every((choice) => isRecord(choice) && isRecord(choice.message))) {
    throw new ModelAnswerError('The completion has no choices with a message');
  }
  return body as unknown as ChatCompletion;
}

function embeddingsOf(body: unknown, request: EmbeddingRequest): EmbeddingResult {
  if (!isRecord(body) || !Array.isArray(body.data)) throw new ModelAnswerError('The embeddings answer has no data');
  const data = body.data.map((item: unknown, position): Embedding => {
    const embedding = isRecord(item) ? vectorOf(item.embedding) : undefined;
    if (!isRecord(item) || !embedding) throw new ModelAnswerError('An embedding is neither a list of numbers nor base64 floats');
    return { index: numberOr(item.index, position), embedding };
  });
  const usage = isRecord(body.usage) ? body.usage : {};
  const promptTokens = numberOr(usage.prompt_tokens, 0);
  return {
    model: typeof body.model === 'string' ? body.model : request.model,
    data,
    usage: { prompt_tokens: promptTokens, total_tokens: numberOr(usage.total_tokens, promptTokens) },
  };
}

/** A float vector, sent as numbers or (asked for floats or not) as base64 of little-endian float32s. */
function vectorOf(value: unknown): number[] | undefined {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'number') ? (value as number[]) : undefined;
  if (typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % Float32Array.BYTES_PER_ELEMENT !== 0) return undefined;
  return Array.from({ length: bytes.length / Float32Array.BYTES_PER_ELEMENT }, (_, index) => bytes.readFloatLE(index * Float32Array.BYTES_PER_ELEMENT));
}

function modelsOf(body: unknown, ownedBy: string): ModelInfo[] {
  if (!isRecord(body) || !Array.isArray(body.data)) throw new ModelAnswerError('The model list has no data');
  return body.data
    .filter((model): model is Record<string, unknown> => isRecord(model) && typeof model.id === 'string')
    .map((model) => ({
      id: model.id as string,
      // Some APIs name the creation time `created_at`.
      created: numberOr(model.created, numberOr(model.created_at, 0)),
      owned_by: typeof model.owned_by === 'string' ? model.owned_by : ownedBy,
    }));
}
