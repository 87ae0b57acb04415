/**
 * The model gateway's provider-neutral request and answer model. It is the chat-completions and
 * embeddings wire shape (snake_case included): the lingua franca of model APIs, which the HTTP surface
 * speaks and every provider's protocol translates to and from. Fields the gateway does not interpret
 * (`logprobs`, `seed`, `reasoning_effort`…) ride along in the request object; a provider that has no
 * use for one drops it.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

export interface ImagePart {
  readonly type: 'image_url';
  readonly image_url: { readonly url: string; readonly detail?: 'auto' | 'low' | 'high' };
}

export type ContentPart = TextPart | ImagePart | (Readonly<Record<string, unknown>> & { readonly type: string });

export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string | readonly ContentPart[] | null;
  readonly name?: string;
  readonly tool_calls?: readonly ToolCall[];
  readonly tool_call_id?: string;
  readonly refusal?: string | null;
}

export interface FunctionTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters?: Readonly<Record<string, unknown>>; readonly strict?: boolean };
}

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly json_schema: { readonly name: string; readonly schema?: Readonly<Record<string, unknown>>; readonly strict?: boolean; readonly description?: string };
    };

/** A chat completion's parameters: everything but the model, which the gateway sets per target. */
export interface ChatCompletionParameters {
  readonly messages: readonly ChatMessage[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly tools?: readonly FunctionTool[];
  readonly tool_choice?: 'none' | 'auto' | 'required' | { readonly type: 'function'; readonly function: { readonly name: string } };
  readonly parallel_tool_calls?: boolean;
  readonly response_format?: ResponseFormat;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly stop?: string | readonly string[];
  readonly presence_penalty?: number;
  readonly frequency_penalty?: number;
  readonly seed?: number;
  readonly user?: string;
  readonly [field: string]: unknown;
}

/** A chat completion request as the gateway hands it to a provider: `model` is the target's model (or deployment) name. */
export interface ChatCompletionRequest extends ChatCompletionParameters {
  readonly model: string;
}

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatCompletionChoice {
  readonly index: number;
  readonly message: { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: readonly ToolCall[]; readonly refusal?: string | null };
  readonly finish_reason: FinishReason | null;
  readonly logprobs?: unknown;
}

export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly ChatCompletionChoice[];
  readonly usage?: Usage;
  readonly system_fingerprint?: string | null;
}

/** One piece of a streamed tool call: the first carries id and name, the rest append to `arguments`. */
export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly type?: 'function';
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

export interface ChatChunkChoice {
  readonly index: number;
  readonly delta: { readonly role?: 'assistant'; readonly content?: string | null; readonly tool_calls?: readonly ToolCallDelta[]; readonly refusal?: string | null };
  readonly finish_reason: FinishReason | null;
  readonly logprobs?: unknown;
}

/** A streamed piece of a completion. The usage chunk has no choices and carries `usage`. */
export interface ChatCompletionChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly ChatChunkChoice[];
  readonly usage?: Usage | null;
  readonly system_fingerprint?: string | null;
}

export interface EmbeddingRequest {
  readonly model: string;
  /** One text, several, or token arrays. */
  readonly input: string | readonly string[] | readonly number[] | readonly (readonly number[])[];
  readonly dimensions?: number;
  readonly user?: string;
}

export interface Embedding {
  readonly index: number;
  readonly embedding: readonly number[];
}

/** Always float vectors: the gateway encodes base64 for a caller that asked for it. */
export interface EmbeddingResult {
  readonly model: string;
  readonly data: readonly Embedding[];
  readonly usage: { readonly prompt_tokens: number; readonly total_tokens: number };
}

export interface ModelInfo {
  readonly id: string;
  readonly created: number;
  readonly owned_by: string;
}
