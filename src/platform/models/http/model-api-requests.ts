import { ModelCallError } from '../model-calls';
import { error } from '../model-failures';
import type { ChatCall, EmbeddingCall } from '../model-calls';

/**
 * Checks of the chat-completions surface's request bodies: what the gateway itself relies on, each
 * refusal a 400 naming the parameter as the chat-completions API does. Everything else is the vendor's
 * to judge and passes through.
 */

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const MAX_MESSAGES = 10_000;

export interface ParsedChatRequest {
  readonly model: string;
  readonly call: ChatCall;
  readonly stream: boolean;
}

export function parseChatRequest(body: unknown): ParsedChatRequest {
  const request = objectBody(body);
  const model = requiredString(request, 'model');
  const messages = request.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw invalid('messages must be a non-empty array of messages', 'messages');
  if (messages.length > MAX_MESSAGES) throw invalid(`messages may hold at most ${MAX_MESSAGES} messages`, 'messages');
  messages.forEach((message: unknown, index) => checkMessage(message, `messages[${index}]`));
  optionalType(request, 'stream', 'boolean');
  optionalType(request, 'temperature', 'number');
  optionalType(request, 'top_p', 'number');
  optionalInteger(request, 'max_tokens');
  optionalInteger(request, 'max_completion_tokens');
  if (request.stream_options !== undefined && (typeof request.stream_options !== 'object' || request.stream_options === null || Array.isArray(request.stream_options))) {
    throw invalid('stream_options must be an object', 'stream_options');
  }
  if (request.tools !== undefined) {
    if (!Array.isArray(request.tools)) throw invalid('tools must be an array', 'tools');
    request.tools.forEach((tool: unknown, index) => {
      const name = (tool as { function?: { name?: unknown } } | null)?.function?.name;
      if (typeof tool !== 'object' || tool === null || typeof name !== 'string' || name.length === 0)
        throw invalid(`tools[${index}].function.name is required`, `tools[${index}].function.name`);
    });
  }
  if (request.response_format !== undefined && typeof (request.response_format as { type?: unknown } | null)?.type !== 'string') {
    throw invalid('response_format must be an object with a type', 'response_format.type');
  }
  const { model: _model, ...call } = request;
  return { model, call: call as unknown as ChatCall, stream: request.stream === true };
}

export interface ParsedEmbeddingRequest {
  readonly model: string;
  readonly call: EmbeddingCall;
  readonly encoding: 'float' | 'base64';
}

export function parseEmbeddingRequest(body: unknown): ParsedEmbeddingRequest {
  const request = objectBody(body);
  const model = requiredString(request, 'model');
  const input = request.input;
  const validInput =
    (typeof input === 'string' && input.length > 0) ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((item) => typeof item === 'string') ||
        input.every((item) => typeof item === 'number') ||
        input.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number'))));
  if (!validInput) throw invalid('input must be a non-empty string, an array of strings, or token arrays', 'input');
  const encoding = request.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') throw invalid("encoding_format must be 'float' or 'base64'", 'encoding_format');
  optionalInteger(request, 'dimensions');
  optionalType(request, 'user', 'string');
  const call: EmbeddingCall = {
    input: input as EmbeddingCall['input'],
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions as number } : {}),
    ...(request.user !== undefined ? { user: request.user as string } : {}),
  };
  return { model, call, encoding };
}

function checkMessage(message: unknown, path: string): void {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw invalid(`${path} must be an object`, path);
  const { role, content } = message as { role?: unknown; content?: unknown };
  if (typeof role !== 'string' || !ROLES.has(role)) throw invalid(`${path}.role must be one of: ${[...ROLES].join(', ')}`, `${path}.role`);
  const validContent =
    content === null ||
    content === undefined ||
    typeof content === 'string' ||
    (Array.isArray(content) && content.every((part) => typeof (part as { type?: unknown })?.type === 'string'));
  if (!validContent) throw invalid(`${path}.content must be a string, an array of content parts, or null`, `${path}.content`);
  if ((content === null || content === undefined) && role !== 'assistant') throw invalid(`${path}.content is required for role ${role}`, `${path}.content`);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object', null);
  return body as Record<string, unknown>;
}

function requiredString(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw invalid(`${field} must be a non-empty string of at most 256 characters`, field);
  return value;
}

function optionalType(request: Record<string, unknown>, field: string, type: 'boolean' | 'number' | 'string'): void {
  if (request[field] !== undefined && typeof request[field] !== type) throw invalid(`${field} must be a ${type}`, field);
}

function optionalInteger(request: Record<string, unknown>, field: string): void {
  const value = request[field];
  if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1)) throw invalid(`${field} must be a positive integer`, field);
}

function invalid(message: string, param: string | null): ModelCallError {
  return new ModelCallError(400, error(message, 'invalid_request_error', param === null ? 'invalid_body' : 'invalid_value', param));
}
