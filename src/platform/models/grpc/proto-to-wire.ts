import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../grpc/grpc-error';
import type { ChatCall, EmbeddingCall, ModelSelector } from '../model-calls';
import type { ChatMessage, ChatRole, ContentPart, FunctionTool, ResponseFormat, ToolCall } from '../model-wire';
import type {
  ChatMessageMessage,
  CompleteRequestMessage,
  ContentPartMessage,
  EmbedRequestMessage,
  ResponseFormatMessage,
  ToolChoiceMessage,
  ToolMessage,
} from './models-proto.messages';

/** Translates integration.models.v1 requests into the gateway's neutral calls; a request that cannot be is INVALID_ARGUMENT naming the field. */

const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const TOOL_CHOICE_MODES = ['none', 'auto', 'required'] as const;
const RESPONSE_FORMAT_TYPES = ['text', 'json_object', 'json_schema'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function toSelector(request: { connection_id?: string; model: string }): ModelSelector {
  if (!request.model) throw invalid('model is required');
  return request.connection_id ? { connectionId: request.connection_id, model: request.model } : { model: request.model };
}

export function toChatCall(request: CompleteRequestMessage, mode: { stream: boolean }): ChatCall {
  if (request.messages.length === 0) throw invalid('messages must not be empty');
  const call: Mutable<ChatCall> = { messages: request.messages.map((message, index) => toChatMessage(message, `messages[${index}]`)) };
  if (request.tools.length > 0) call.tools = request.tools.map((tool, index) => toTool(tool, `tools[${index}]`));
  if (request.tool_choice) call.tool_choice = toToolChoice(request.tool_choice);
  if (request.response_format) call.response_format = toResponseFormat(request.response_format);
  if (request.temperature !== undefined) call.temperature = request.temperature;
  if (request.top_p !== undefined) call.top_p = request.top_p;
  if (request.max_tokens !== undefined) call.max_tokens = request.max_tokens;
  if (request.stop.length > 0) call.stop = [...request.stop];
  if (request.seed !== undefined) call.seed = toSafeInteger(request.seed, 'seed');
  if (request.user !== undefined) call.user = request.user;
  if (request.parallel_tool_calls !== undefined) call.parallel_tool_calls = request.parallel_tool_calls;
  if (mode.stream) {
    call.stream = true;
    if (request.include_usage) call.stream_options = { include_usage: true };
  }
  return call;
}

export function toEmbeddingCall(request: EmbedRequestMessage): EmbeddingCall {
  if (request.inputs.length === 0) throw invalid('inputs must not be empty');
  const call: Mutable<EmbeddingCall> = { input: [...request.inputs] };
  if (request.dimensions !== undefined) call.dimensions = request.dimensions;
  if (request.user !== undefined) call.user = request.user;
  return call;
}

function toChatMessage(message: ChatMessageMessage, path: string): ChatMessage {
  if (!(ROLES as readonly string[]).includes(message.role)) throw invalid(`${path}.role must be one of ${ROLES.join(', ')}`);
  const chat: Mutable<ChatMessage> = { role: message.role as ChatRole, content: toContent(message, path) };
  if (message.name !== undefined) chat.name = message.name;
  if (message.tool_call_id !== undefined) chat.tool_call_id = message.tool_call_id;
  if (message.tool_calls.length > 0) chat.tool_calls = message.tool_calls.map((call, index) => toToolCall(call, `${path}.tool_calls[${index}]`));
  if (message.refusal !== undefined) chat.refusal = message.refusal;
  return chat;
}

function toContent(message: ChatMessageMessage, path: string): ChatMessage['content'] {
  if (message.content === 'text') return message.text ?? '';
  if (message.content === 'parts') return (message.parts?.parts ?? []).map((part, index) => toContentPart(part, `${path}.parts[${index}]`));
  return null;
}

function toContentPart(part: ContentPartMessage, path: string): ContentPart {
  switch (part.part) {
    case 'text':
      return { type: 'text', text: part.text ?? '' };
    case 'image_url': {
      const image = part.image_url;
      if (!image?.url) throw invalid(`${path}.image_url.url is required`);
      const detail = image.detail;
      if (detail !== undefined && detail !== 'auto' && detail !== 'low' && detail !== 'high') throw invalid(`${path}.image_url.detail must be auto, low or high`);
      return { type: 'image_url', image_url: detail === undefined ? { url: image.url } : { url: image.url, detail } };
    }
    case 'other_json': {
      const value = parseJsonObject(part.other_json ?? '', `${path}.other_json`);
      if (typeof value.type !== 'string' || value.type === '') throw invalid(`${path}.other_json must have a string "type"`);
      return value as ContentPart;
    }
    default:
      throw invalid(`${path} sets no part (text, image_url or other_json)`);
  }
}

function toToolCall(call: { id: string; type: string; function: { name: string; arguments: string } | null }, path: string): ToolCall {
  if (!call.function?.name) throw invalid(`${path}.function.name is required`);
  if (call.type !== '' && call.type !== 'function') throw invalid(`${path}.type must be function`);
  return { id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } };
}

function toTool(tool: ToolMessage, path: string): FunctionTool {
  const fn = tool.function;
  if (tool.type !== '' && tool.type !== 'function') throw invalid(`${path}.type must be function`);
  if (!fn?.name) throw invalid(`${path}.function.name is required`);
  const definition: Mutable<FunctionTool['function']> = { name: fn.name };
  if (fn.description !== undefined) definition.description = fn.description;
  if (fn.parameters_json !== undefined) definition.parameters = parseJsonObject(fn.parameters_json, `${path}.function.parameters_json`);
  if (fn.strict !== undefined) definition.strict = fn.strict;
  return { type: 'function', function: definition };
}

function toToolChoice(choice: ToolChoiceMessage): NonNullable<ChatCall['tool_choice']> {
  if (choice.choice === 'function_name' && choice.function_name) return { type: 'function', function: { name: choice.function_name } };
  const mode = choice.mode;
  if (choice.choice === 'mode' && (TOOL_CHOICE_MODES as readonly string[]).includes(mode ?? '')) return mode as (typeof TOOL_CHOICE_MODES)[number];
  throw invalid(`tool_choice must set mode (${TOOL_CHOICE_MODES.join(', ')}) or function_name`);
}

function toResponseFormat(format: ResponseFormatMessage): ResponseFormat {
  if (!(RESPONSE_FORMAT_TYPES as readonly string[]).includes(format.type)) throw invalid(`response_format.type must be one of ${RESPONSE_FORMAT_TYPES.join(', ')}`);
  if (format.type !== 'json_schema') return { type: format.type as 'text' | 'json_object' };
  if (format.json_schema_json === undefined) throw invalid('response_format.json_schema_json is required for type json_schema');
  const schema = parseJsonObject(format.json_schema_json, 'response_format.json_schema_json');
  if (typeof schema.name !== 'string' || schema.name === '') throw invalid('response_format.json_schema_json must have a string "name"');
  return { type: 'json_schema', json_schema: schema as Extract<ResponseFormat, { type: 'json_schema' }>['json_schema'] };
}

function parseJsonObject(text: string, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${path} must be a JSON object`);
  return value as Record<string, unknown>;
}

function toSafeInteger(text: string, path: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw invalid(`${path} must be an integer between -(2^53-1) and 2^53-1`);
  return value;
}

function invalid(message: string): GrpcError {
  return new GrpcError(status.INVALID_ARGUMENT, message);
}
