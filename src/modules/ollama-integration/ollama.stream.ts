import { IN_STREAM_FAILURE_STATUS } from '../../platform/models/model-errors';
import { isRecord } from '../../platform/models/model-json';
import { DeferredStreamFailure } from '../../platform/models/deferred-stream-failure';
import { NdjsonDecoder } from '../../platform/models/ndjson-decoder';
import { ChatStreamDecoder, ModelStreamError } from '../../platform/models/model-protocol';
import type { ChatChunkChoice, ChatCompletionChunk } from '../../platform/models/model-wire';
import { completionId, createdOf, finishReasonOf, isChatLine, OllamaChatLine, toolCallsOf, usageOf } from './ollama.chat-answer';
import { ollamaError } from './ollama.errors';

/**
 * Ollama's NDJSON chat stream as chat-completion chunks: the first carries the assistant role, each
 * line's text a content delta, each tool call a whole tool-call delta; the `done` line gives the
 * finish reason, then a usage chunk (no choices) from its counts. Lines carrying nothing are dropped.
 */
export class OllamaStreamDecoder implements ChatStreamDecoder {
  private readonly lines = new NdjsonDecoder();
  private readonly failure = new DeferredStreamFailure();
  private readonly id = completionId();
  private created: number | undefined;
  private roleSent = false;
  private toolCalls = 0;
  private done = false;

  constructor(private readonly model: string) {}

  push(bytes: Buffer): ChatCompletionChunk[] {
    this.failure.throwIfFailed();
    return this.failure.decode(this.lines.push(bytes), (line) => this.chunksOf(line));
  }

  end(): { chunks: ChatCompletionChunk[]; complete: boolean } {
    this.failure.throwIfFailed();
    const chunks = this.failure.decode(this.lines.end(), (line) => this.chunksOf(line));
    this.failure.throwIfFailed();
    return { chunks, complete: this.done };
  }

  private chunksOf(line: unknown): ChatCompletionChunk[] {
    if (this.done) return [];
    if (isRecord(line) && typeof line.error === 'string') {
      const error = ollamaError(IN_STREAM_FAILURE_STATUS, line.error);
      throw new ModelStreamError(error.message, error);
    }
    if (!isChatLine(line)) throw new ModelStreamError('The Ollama stream sent a line that is not a chat answer');
    this.created ??= createdOf(line);
    const chunks: ChatCompletionChunk[] = [];
    const delta = this.deltaOf(line);
    if (delta) chunks.push(this.chunk(line, [{ index: 0, delta, finish_reason: null }]));
    if (line.done === true) {
      this.done = true;
      chunks.push(this.chunk(line, [{ index: 0, delta: {}, finish_reason: finishReasonOf(line, this.toolCalls > 0) }]));
      chunks.push({ ...this.chunk(line, []), usage: usageOf(line) });
    }
    return chunks;
  }

  private deltaOf(line: OllamaChatLine): ChatChunkChoice['delta'] | undefined {
    const content = line.message?.content ?? '';
    const toolCalls = toolCallsOf(line, this.toolCalls).map((call, offset) => ({ index: this.toolCalls + offset, ...call }));
    this.toolCalls += toolCalls.length;
    const first = !this.roleSent;
    this.roleSent = true;
    if (!first && content === '' && toolCalls.length === 0) return undefined;
    return {
      ...(first ? { role: 'assistant' as const } : {}),
      ...(first || content !== '' ? { content } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
  }

  private chunk(line: OllamaChatLine, choices: ChatChunkChoice[]): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created!,
      model: typeof line.model === 'string' ? line.model : this.model,
      choices,
    };
  }
}
