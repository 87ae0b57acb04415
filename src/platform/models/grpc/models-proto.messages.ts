/**
 * The integration.models.v1 messages as the platform's proto loader hands them over (keepCase,
 * int64 as strings, defaults filled in, oneofs named): unset `optional` scalars are absent, unset
 * message fields are null, repeated fields are arrays. Answers are written in the same shapes.
 */

export const MODELS_SERVICE = 'integration.models.v1.Models';
export const MODELS_PROTO = 'integration/models/v1/models.proto';

export interface ImageUrlMessage {
  url: string;
  detail?: string;
}

export interface ContentPartMessage {
  part?: 'text' | 'image_url' | 'other_json';
  text?: string;
  image_url?: ImageUrlMessage | null;
  other_json?: string;
}

export interface FunctionCallMessage {
  name: string;
  arguments: string;
}

export interface ToolCallMessage {
  id: string;
  type: string;
  function: FunctionCallMessage | null;
}

export interface ChatMessageMessage {
  role: string;
  content?: 'text' | 'parts';
  text?: string;
  parts?: { parts: ContentPartMessage[] } | null;
  name?: string;
  tool_call_id?: string;
  tool_calls: ToolCallMessage[];
  refusal?: string;
}

export interface FunctionDefinitionMessage {
  name: string;
  description?: string;
  parameters_json?: string;
  strict?: boolean;
}

export interface ToolMessage {
  type: string;
  function: FunctionDefinitionMessage | null;
}

export interface ToolChoiceMessage {
  choice?: 'mode' | 'function_name';
  mode?: string;
  function_name?: string;
}

export interface ResponseFormatMessage {
  type: string;
  json_schema_json?: string;
}

export interface CompleteRequestMessage {
  connection_id?: string;
  model: string;
  messages: ChatMessageMessage[];
  tools: ToolMessage[];
  tool_choice: ToolChoiceMessage | null;
  response_format: ResponseFormatMessage | null;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop: string[];
  seed?: string;
  user?: string;
  include_usage: boolean;
  parallel_tool_calls?: boolean;
}

export interface UsageMessage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface AttemptMessage {
  run_id: string;
  connection_id: string;
  provider_id: string;
  model: string;
  failure_category?: string;
  failure_code?: string;
}

export interface ChoiceMessage {
  index: number;
  message: Partial<ChatMessageMessage>;
  finish_reason: string;
}

export interface CompleteResponseMessage {
  id: string;
  model: string;
  choices: ChoiceMessage[];
  usage?: UsageMessage;
  request_id: string;
  attempts: AttemptMessage[];
  provider_id: string;
  created: number;
  system_fingerprint?: string;
}

export interface StreamStartMessage {
  run_id: string;
  connection_id: string;
  provider_id: string;
  model: string;
  request_id: string;
  attempts: AttemptMessage[];
}

export interface ToolCallDeltaMessage {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export interface ChunkMessage {
  index: number;
  content?: string;
  tool_calls: ToolCallDeltaMessage[];
  finish_reason?: string;
  refusal?: string;
  id: string;
}

export type StreamEventMessage = { start: StreamStartMessage } | { chunk: ChunkMessage } | { usage: UsageMessage };

export interface EmbedRequestMessage {
  connection_id?: string;
  model: string;
  inputs: string[];
  dimensions?: number;
  user?: string;
}

export interface EmbedResponseMessage {
  embeddings: { index: number; values: number[] }[];
  usage: { prompt_tokens: number; total_tokens: number };
  model: string;
  request_id: string;
  attempts: AttemptMessage[];
}

export interface ListModelsRequestMessage {
  connection_id?: string;
}

export interface ModelEntryMessage {
  id: string;
  created: number;
  owned_by: string;
  connection_id?: string;
  route: boolean;
}

export interface ListModelsResponseMessage {
  models: ModelEntryMessage[];
}
