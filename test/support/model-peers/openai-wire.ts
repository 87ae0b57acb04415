/** Chat completions, their stream chunks and embedding answers in OpenAI's wire shape, which Azure OpenAI extends. */
import { AnswerPlan, answerText, base64Embedding, TOOL_ARGUMENTS, TOOL_CALL_ID } from './deterministic-answers';
import { fixedFrames, FrameSequence, PieceFrames, pieceFrameTemplate } from './frame-stream';

/** What Azure adds to OpenAI's shape (content filter results); nothing for OpenAI itself. */
export interface CompletionDialect {
  /** Frames before the first chunk (Azure's `prompt_filter_results` chunk). */
  readonly leadingChunks: ReadonlyArray<Record<string, unknown>>;
  readonly chunkFields: Readonly<Record<string, unknown>>;
  /** Fields of a choice that carries text, and of one that does not. */
  readonly contentChoiceFields: Readonly<Record<string, unknown>>;
  readonly emptyChoiceFields: Readonly<Record<string, unknown>>;
  readonly completionFields: Readonly<Record<string, unknown>>;
}

export const OPENAI_DIALECT: CompletionDialect = {
  leadingChunks: [],
  chunkFields: { service_tier: 'default' },
  contentChoiceFields: {},
  emptyChoiceFields: {},
  completionFields: { service_tier: 'default' },
};

export interface CompletionIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export interface TokenCounts {
  readonly prompt: number;
  readonly completion: number;
}

export const SYSTEM_FINGERPRINT = 'fp_peer0001';

export function usage(tokens: TokenCounts): Record<string, unknown> {
  return {
    prompt_tokens: tokens.prompt,
    completion_tokens: tokens.completion,
    total_tokens: tokens.prompt + tokens.completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function finishReason(plan: AnswerPlan): string {
  return plan.kind === 'tool-call' ? 'tool_calls' : plan.finishReason;
}

export function chatCompletion(identity: CompletionIdentity, plan: AnswerPlan, tokens: TokenCounts, dialect: CompletionDialect): Record<string, unknown> {
  const message =
    plan.kind === 'tool-call'
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: TOOL_CALL_ID, type: 'function', function: { name: plan.name, arguments: JSON.stringify(TOOL_ARGUMENTS) } }],
          refusal: null,
          annotations: [],
        }
      : { role: 'assistant', content: answerText(plan), refusal: null, annotations: [] };
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(plan), ...dialect.contentChoiceFields }],
    usage: usage(tokens),
    system_fingerprint: SYSTEM_FINGERPRINT,
    ...dialect.completionFields,
  };
}

const sse = (json: string) => `data: ${json}\n\n`;

export const SSE_DONE = 'data: [DONE]\n\n';

export function sseErrorFrame(error: unknown): string {
  return sse(JSON.stringify({ error }));
}

/**
 * The stream of a completion: the role chunk, one chunk per piece (or the tool call's argument deltas),
 * the finish chunk and, when asked for, the usage chunk. With `include_usage` every other chunk says
 * `"usage": null`, as OpenAI's do.
 */
export function chatCompletionStream(identity: CompletionIdentity, plan: AnswerPlan, tokens: TokenCounts, includeUsage: boolean, dialect: CompletionDialect): FrameSequence {
  const chunk = (choices: unknown[], chunkUsage: unknown = null) => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    ...dialect.chunkFields,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(includeUsage ? { usage: chunkUsage } : {}),
  });
  const choiceChunk = (choice: Record<string, unknown>, fields = dialect.emptyChoiceFields) => chunk([{ index: 0, ...choice, logprobs: null, ...fields }]);
  const frame = (value: unknown) => sse(JSON.stringify(value));

  const leading = dialect.leadingChunks.map(frame);
  const trailing = [frame(choiceChunk({ delta: {}, finish_reason: finishReason(plan) }))];
  if (includeUsage) trailing.push(frame(chunk([], usage(tokens))));

  if (plan.kind === 'tool-call') {
    const [firstArguments, ...restArguments] = plan.argumentPieces;
    const toolCallOpening = { index: 0, id: TOOL_CALL_ID, type: 'function', function: { name: plan.name, arguments: firstArguments } };
    const opening = frame(choiceChunk({ delta: { role: 'assistant', content: null, tool_calls: [toolCallOpening], refusal: null }, finish_reason: null }));
    const argumentDeltas = restArguments.map((piece) => frame(choiceChunk({ delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null })));
    return fixedFrames([...leading, opening, ...argumentDeltas, ...trailing]);
  }
  const roleChunk = frame(choiceChunk({ delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }));
  const pieceChunk = pieceFrameTemplate((piece) => choiceChunk({ delta: { content: piece }, finish_reason: null }, dialect.contentChoiceFields), sse);
  return new PieceFrames([...leading, roleChunk], plan.pieces, pieceChunk, trailing);
}

export function embeddingList(model: string, vectors: readonly number[][], base64: boolean, promptTokens: number): Record<string, unknown> {
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? base64Embedding(vector) : vector })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

export const OPENAI_MODELS: ReadonlyArray<{ id: string; created: number }> = [
  { id: 'gpt-4o-mini', created: 1721172741 },
  { id: 'gpt-4o', created: 1715367049 },
  { id: 'gpt-4.1-mini', created: 1744318173 },
  { id: 'text-embedding-3-small', created: 1705948997 },
  { id: 'text-embedding-3-large', created: 1705953180 },
];
