import type { ChatCompletionRequest, ChatMessage, ContentPart } from '../../platform/models/model-wire';
import { IntegrationError } from '../../platform/resilience/failure-classifier';

/** Ollama's `/api/chat` request (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion). */
export interface OllamaChatRequest {
  readonly model: string;
  readonly messages: OllamaMessage[];
  readonly stream: boolean;
  readonly tools?: ChatCompletionRequest['tools'];
  readonly format?: 'json' | Readonly<Record<string, unknown>>;
  readonly options?: Record<string, unknown>;
}

export interface OllamaMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly images?: string[];
  readonly tool_calls?: { function: { name: string; arguments: unknown } }[];
  readonly tool_name?: string;
}

const BASE64_DATA_URL = /^data:[^;,]*;base64,(.*)$/s;

/**
 * The neutral request as Ollama takes it: content parts flattened to text and images, the sampling
 * fields moved to `options`, `stream` always explicit (Ollama streams unless told not to). A
 * `tool_choice` of `none` sends no tools; Ollama has no other tool choice.
 */
export function toOllamaChat(request: ChatCompletionRequest): OllamaChatRequest {
  const toolNames = new Map<string, string>();
  const messages = request.messages.map((message) => toOllamaMessage(message, toolNames));
  const options = definedFields({
    temperature: request.temperature,
    top_p: request.top_p,
    seed: request.seed,
    stop: typeof request.stop === 'string' ? [request.stop] : request.stop,
    num_predict: request.max_completion_tokens ?? request.max_tokens,
    presence_penalty: request.presence_penalty,
    frequency_penalty: request.frequency_penalty,
  });
  return {
    model: request.model,
    messages,
    stream: request.stream === true,
    ...(request.tools && request.tools.length > 0 && request.tool_choice !== 'none' ? { tools: request.tools } : {}),
    ...formatOf(request),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

function toOllamaMessage(message: ChatMessage, toolNames: Map<string, string>): OllamaMessage {
  const { text, images } = flatten(message.content);
  const role = message.role === 'developer' ? 'system' : message.role;
  const toolCalls = message.tool_calls?.map((call) => {
    toolNames.set(call.id, call.function.name);
    return { function: { name: call.function.name, arguments: parseArguments(call.function.arguments) } };
  });
  const toolName = message.role === 'tool' && message.tool_call_id !== undefined ? toolNames.get(message.tool_call_id) : undefined;
  return {
    role,
    content: text,
    ...(images.length > 0 ? { images } : {}),
    ...(toolCalls && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(toolName === undefined ? {} : { tool_name: toolName }),
  };
}

function flatten(content: ChatMessage['content']): { text: string; images: string[] } {
  if (content === null) return { text: '', images: [] };
  if (typeof content === 'string') return { text: content, images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (part.type === 'text') texts.push((part as Extract<ContentPart, { type: 'text' }>).text);
    else if (part.type === 'image_url') images.push(imageOf((part as Extract<ContentPart, { type: 'image_url' }>).image_url.url));
    else throw IntegrationError.validation('unsupported_content', `Ollama takes text and image content parts, not ${String(part.type).slice(0, 40)}`);
  }
  return { text: texts.join('\n'), images };
}

/** Ollama takes images as base64: a `data:` URL is unwrapped; a remote URL would need fetching, which a protocol does not do. */
function imageOf(url: string): string {
  const data = BASE64_DATA_URL.exec(url);
  if (!data) throw IntegrationError.validation('unsupported_image_url', 'Ollama takes images as base64 data: URLs only');
  return data[1]!;
}

/** The neutral tool call's arguments are JSON text; Ollama's are the object itself. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw IntegrationError.validation('invalid_tool_arguments', 'A tool call’s arguments must be JSON');
  }
}

function formatOf({ response_format: format }: ChatCompletionRequest): Pick<OllamaChatRequest, 'format'> {
  if (format?.type === 'json_object') return { format: 'json' };
  if (format?.type === 'json_schema' && format.json_schema.schema) return { format: format.json_schema.schema };
  return {};
}

function definedFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
