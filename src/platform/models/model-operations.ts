import type { VendorOperation } from '../vendors/vendor-descriptor';
import { CHAT_INPUT, CHAT_OUTPUT, EMBEDDINGS_INPUT, EMBEDDINGS_OUTPUT, MODELS_INPUT, MODELS_OUTPUT } from './model-operation-schemas';
import type { ModelProtocol } from './model-protocol';
import type { ChatCompletion, ChatCompletionRequest, EmbeddingRequest, EmbeddingResult, ModelInfo } from './model-wire';

/**
 * A model provider's catalogue operations (`<prefix>.chat.complete`, `.embeddings.create`,
 * `.models.list`), single calls through its protocol, never streamed (an operation answers once). All
 * are `read`: a completion costs money but changes no state at the vendor, nothing a retry could apply twice.
 */
export function modelOperations(prefix: string, protocol: ModelProtocol): VendorOperation[] {
  const chat: VendorOperation<ChatCompletionRequest, ChatCompletion> = {
    name: `${prefix}.chat.complete`,
    description: 'Runs a chat completion (not streamed) and answers the completion with its usage',
    effect: 'read',
    input: CHAT_INPUT,
    output: CHAT_OUTPUT,
    request: (input, context) => protocol.chatRequest({ ...input, stream: false }, context),
    result: (answer, input) => protocol.chatResult(answer.body, { ...input, stream: false }),
    usage: (body, input) => runUsageOf(tryRead(() => protocol.chatResult(body, { ...input, stream: false }).usage)),
  };
  const embeddings: VendorOperation<EmbeddingRequest, EmbeddingResult> = {
    name: `${prefix}.embeddings.create`,
    description: 'Embeds one text or several, as float vectors',
    effect: 'read',
    input: EMBEDDINGS_INPUT,
    output: EMBEDDINGS_OUTPUT,
    request: (input, context) => protocol.embedRequest(input, context),
    result: (answer, input) => protocol.embedResult(answer.body, input),
    usage: (body, input) => runUsageOf(tryRead(() => ({ ...protocol.embedResult(body, input).usage, completion_tokens: 0 }))),
  };
  const models: VendorOperation<Record<string, never>, { data: ModelInfo[] }> = {
    name: `${prefix}.models.list`,
    description: 'Lists the models the connection can call',
    effect: 'read',
    input: MODELS_INPUT,
    output: MODELS_OUTPUT,
    request: (_input, context) => protocol.modelsRequest(context),
    result: (answer) => ({ data: protocol.modelsResult(answer.body) }),
  };
  return [chat, embeddings, models] as VendorOperation[];
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    // Not an answer of the protocol: the operation's result says so; the run records no usage.
    return undefined;
  }
}

function runUsageOf(usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined) {
  return usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } : undefined;
}
