import type { CompletionAnswer, EmbeddingAnswer, ModelAnswerMeta, ModelAttempt, ModelListAnswer, ModelStream } from '../model-calls';
import type { ChatCompletionChoice, ChatCompletionChunk, Usage } from '../model-wire';
import type {
  AttemptMessage,
  ChatMessageMessage,
  ChoiceMessage,
  CompleteResponseMessage,
  EmbedResponseMessage,
  ListModelsResponseMessage,
  StreamEventMessage,
  StreamStartMessage,
  UsageMessage,
} from './models-proto.messages';

/** Translates the gateway's neutral answers into integration.models.v1 messages. */

export function toCompleteResponse(answer: CompletionAnswer): CompleteResponseMessage {
  const { completion } = answer;
  const response: CompleteResponseMessage = {
    id: completion.id,
    model: completion.model,
    choices: completion.choices.map(toChoice),
    request_id: answer.requestId,
    attempts: answer.attempts.map(toAttempt),
    provider_id: answer.attempts.at(-1)?.providerId ?? '',
    created: completion.created,
  };
  if (completion.usage) response.usage = toUsage(completion.usage);
  if (completion.system_fingerprint) response.system_fingerprint = completion.system_fingerprint;
  return response;
}

export function toStreamStart(stream: ModelStream): StreamStartMessage {
  return {
    run_id: stream.runId,
    connection_id: stream.connectionId,
    provider_id: stream.providerId,
    model: stream.model,
    request_id: stream.requestId,
    attempts: stream.attempts.map(toAttempt),
  };
}

/** One `chunk` event per choice of the chunk, then a `usage` event when it carries usage the caller asked for. */
export function toStreamEvents(chunk: ChatCompletionChunk, includeUsage: boolean): StreamEventMessage[] {
  const events: StreamEventMessage[] = chunk.choices.map((choice) => {
    const { delta } = choice;
    return {
      chunk: {
        id: chunk.id,
        index: choice.index,
        ...(typeof delta.content === 'string' ? { content: delta.content } : {}),
        ...(typeof delta.refusal === 'string' ? { refusal: delta.refusal } : {}),
        ...(choice.finish_reason ? { finish_reason: choice.finish_reason } : {}),
        tool_calls: (delta.tool_calls ?? []).map((call) => ({
          index: call.index,
          ...(call.id !== undefined ? { id: call.id } : {}),
          ...(call.function?.name !== undefined ? { name: call.function.name } : {}),
          ...(call.function?.arguments !== undefined ? { arguments: call.function.arguments } : {}),
        })),
      },
    };
  });
  if (includeUsage && chunk.usage) events.push({ usage: toUsage(chunk.usage) });
  return events;
}

export function toEmbedResponse(answer: EmbeddingAnswer): EmbedResponseMessage {
  const { result } = answer;
  return {
    embeddings: result.data.map((embedding) => ({ index: embedding.index, values: [...embedding.embedding] })),
    usage: { prompt_tokens: result.usage.prompt_tokens, total_tokens: result.usage.total_tokens },
    model: result.model,
    request_id: answer.requestId,
    attempts: answer.attempts.map(toAttempt),
  };
}

export function toListModelsResponse(answer: ModelListAnswer): ListModelsResponseMessage {
  return {
    models: answer.models.map((model) => ({
      id: model.id,
      created: model.created,
      owned_by: model.owned_by,
      ...(model.connectionId ? { connection_id: model.connectionId } : {}),
      route: model.route === true,
    })),
  };
}

/** Trailing metadata of a successful answer: the gateway request id and the vendor's rate-limit headers. */
export function answerTrailers(answer: Pick<ModelAnswerMeta, 'requestId' | 'rateLimitHeaders'>): Record<string, string> {
  return { ...answer.rateLimitHeaders, 'x-request-id': answer.requestId };
}

function toChoice(choice: ChatCompletionChoice): ChoiceMessage {
  const { message } = choice;
  const proto: Partial<ChatMessageMessage> = { role: message.role, tool_calls: [] };
  if (typeof message.content === 'string') proto.text = message.content;
  if (message.tool_calls) proto.tool_calls = message.tool_calls.map((call) => ({ id: call.id, type: call.type, function: { ...call.function } }));
  if (typeof message.refusal === 'string') proto.refusal = message.refusal;
  return { index: choice.index, message: proto, finish_reason: choice.finish_reason ?? '' };
}

function toUsage(usage: Usage): UsageMessage {
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
}

function toAttempt(attempt: ModelAttempt): AttemptMessage {
  return {
    run_id: attempt.runId ?? '',
    connection_id: attempt.connectionId,
    provider_id: attempt.providerId,
    model: attempt.model,
    ...(attempt.failure ? { failure_category: attempt.failure.category, failure_code: attempt.failure.code } : {}),
  };
}
