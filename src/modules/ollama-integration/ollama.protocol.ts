import type { GovernedRequest } from '../../platform/integrations/governed/governed-request';
import { parseErrorBody } from '../../platform/models/model-errors';
import { isRecord, jsonPost, numberOr } from '../../platform/models/model-json';
import { ModelAnswerError, ModelProtocol } from '../../platform/models/model-protocol';
import type { EmbeddingRequest, EmbeddingResult, ModelInfo } from '../../platform/models/model-wire';
import { IntegrationError } from '../../platform/resilience/failure-classifier';
import { completionOf } from './ollama.chat-answer';
import { toOllamaChat } from './ollama.chat-request';
import { ollamaError } from './ollama.errors';
import { OllamaStreamDecoder } from './ollama.stream';

/** Ollama's native API (https://github.com/ollama/ollama/blob/main/docs/api.md), translated to and from the gateway's wire format. */
export const OLLAMA_PROTOCOL: ModelProtocol = {
  chatRequest: (request) => jsonPost('/api/chat', toOllamaChat(request), request.stream === true ? 'application/x-ndjson' : 'application/json'),
  chatResult: (body, request) => completionOf(body, request.model),
  streamDecoder: (request) => new OllamaStreamDecoder(request.model),
  embedRequest: ({ model, input, dimensions }) => jsonPost('/api/embed', { model, input: textsOf(input), dimensions }),
  embedResult: (body, request) => embeddingsOf(body, request),
  modelsRequest: (): GovernedRequest => ({ method: 'GET', path: '/api/tags', headers: { accept: 'application/json' } }),
  modelsResult: (body) => modelsOf(body),
  errorOf: ({ status, body }) => {
    const parsed = parseErrorBody(body);
    return isRecord(parsed) && typeof parsed.error === 'string' ? ollamaError(status, parsed.error) : undefined;
  },
};

/** Ollama embeds texts only: token arrays have no meaning for its models. */
function textsOf(input: EmbeddingRequest['input']): string | readonly string[] {
  if (typeof input === 'string' || (input as readonly unknown[]).every((item) => typeof item === 'string')) return input as string | readonly string[];
  throw IntegrationError.validation('unsupported_input', 'Ollama embeds text only, not token arrays');
}

function embeddingsOf(body: unknown, request: EmbeddingRequest): EmbeddingResult {
  if (!isRecord(body) || !isVectorList(body.embeddings)) throw new ModelAnswerError('The Ollama embeddings answer has no list of number vectors');
  const promptTokens = numberOr(body.prompt_eval_count, 0);
  return {
    model: typeof body.model === 'string' ? body.model : request.model,
    data: body.embeddings.map((embedding, index) => ({ index, embedding })),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function isVectorList(value: unknown): value is number[][] {
  return Array.isArray(value) && value.every((vector) => Array.isArray(vector) && vector.every((item) => typeof item === 'number'));
}

function modelsOf(body: unknown): ModelInfo[] {
  if (!isRecord(body) || !Array.isArray(body.models)) throw new ModelAnswerError('The Ollama model list has no models');
  return body.models
    .filter((model): model is Record<string, unknown> => isRecord(model) && typeof model.name === 'string')
    .map((model) => {
      const modified = typeof model.modified_at === 'string' ? Date.parse(model.modified_at) : NaN;
      return { id: model.name as string, created: Number.isNaN(modified) ? 0 : Math.floor(modified / 1000), owned_by: 'ollama' };
    });
}
