import { randomBytes } from 'node:crypto';
import { isRecord, numberOr } from '../../platform/models/model-json';
import { ModelAnswerError } from '../../platform/models/model-protocol';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../platform/models/model-wire';

/** One `/api/chat` answer object: the whole answer, or one line of a stream (the last with `done: true` and the counts). */
export interface OllamaChatLine {
  readonly model?: string;
  readonly created_at?: string;
  readonly message?: { readonly role?: string; readonly content?: string; readonly tool_calls?: readonly OllamaToolCall[] };
  readonly done?: boolean;
  readonly done_reason?: string;
  readonly prompt_eval_count?: number;
  readonly eval_count?: number;
}

interface OllamaToolCall {
  readonly id?: string;
  readonly function?: { readonly name?: string; readonly arguments?: unknown };
}

/** Ollama names no completion: one is made up, shaped as the chat-completions API's. */
export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

/** Epoch seconds of `created_at` (an RFC 3339 time with nanoseconds), now when it is missing or unreadable. */
export function createdOf(line: OllamaChatLine): number {
  const time = typeof line.created_at === 'string' ? Date.parse(line.created_at) : NaN;
  return Math.floor((Number.isNaN(time) ? Date.now() : time) / 1000);
}

export function finishReasonOf(line: OllamaChatLine, calledTools: boolean): FinishReason {
  if (calledTools) return 'tool_calls';
  return line.done_reason === 'length' ? 'length' : 'stop';
}

export function usageOf(line: OllamaChatLine): Usage {
  const prompt = numberOr(line.prompt_eval_count, 0);
  const completion = numberOr(line.eval_count, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Ollama's tool calls (arguments an object, no id before recent versions) as the neutral ones, numbered from `firstIndex`. */
export function toolCallsOf(line: OllamaChatLine, firstIndex = 0): ToolCall[] {
  return (line.message?.tool_calls ?? []).map((call, offset) => ({
    id: typeof call.id === 'string' && call.id !== '' ? call.id : `call_${firstIndex + offset}`,
    type: 'function',
    function: { name: call.function?.name ?? '', arguments: JSON.stringify(call.function?.arguments ?? {}) },
  }));
}

export function isChatLine(body: unknown): body is OllamaChatLine {
  return isRecord(body) && (body.message === undefined || isRecord(body.message));
}

/** The completion of a non-streamed `/api/chat` answer. */
export function completionOf(body: unknown, model: string): ChatCompletion {
  if (!isChatLine(body) || body.message === undefined) throw new ModelAnswerError('The Ollama answer has no message');
  const toolCalls = toolCallsOf(body);
  return {
    id: completionId(),
    object: 'chat.completion',
    created: createdOf(body),
    model: typeof body.model === 'string' ? body.model : model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: body.message.content ?? '', ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReasonOf(body, toolCalls.length > 0),
      },
    ],
    usage: usageOf(body),
  };
}
