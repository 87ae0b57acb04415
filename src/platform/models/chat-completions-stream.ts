import { isRecord } from './model-json';
import { IN_STREAM_FAILURE_STATUS, readErrorObject } from './model-errors';
import { ChatStreamDecoder, ModelStreamError } from './model-protocol';
import type { ChatCompletionChunk } from './model-wire';
import { rememberChunkText } from './chunk-text';
import { DeferredStreamFailure } from './deferred-stream-failure';
import { ServerSentEvent, SseDecoder } from './sse-decoder';

const DONE = '[DONE]';

/**
 * A chat-completions SSE stream: each event's data is a chunk, `[DONE]` ends it. An error object in the
 * stream (the vendor gave up after the first bytes) throws, after the chunks that came before it; a chunk with neither choices nor usage
 * (a content-filter report on the prompt, sent before the first token) is dropped, not forwarded.
 */
export class ChatCompletionsStreamDecoder implements ChatStreamDecoder {
  private readonly events = new SseDecoder();
  private readonly failure = new DeferredStreamFailure();
  private done = false;

  push(bytes: Buffer): ChatCompletionChunk[] {
    this.failure.throwIfFailed();
    return this.failure.decode(this.events.push(bytes), (event) => this.chunksOf(event));
  }

  end(): { chunks: ChatCompletionChunk[]; complete: boolean } {
    this.failure.throwIfFailed();
    const chunks = this.failure.decode(this.events.end(), (event) => this.chunksOf(event));
    this.failure.throwIfFailed();
    return { chunks, complete: this.done };
  }

  private chunksOf(event: ServerSentEvent): ChatCompletionChunk[] {
    if (this.done) return [];
    if (event.data.trim() === DONE) {
      this.done = true;
      return [];
    }
    const chunk = chunkOf(event);
    return chunk.choices.length > 0 || isRecord(chunk.usage) ? [chunk] : [];
  }
}

function chunkOf(event: ServerSentEvent): ChatCompletionChunk {
  let data: unknown;
  try {
    data = JSON.parse(event.data);
  } catch {
    throw new ModelStreamError(event.event === 'error' ? 'The stream ended with an error event' : 'The stream sent an event whose data is not JSON');
  }
  if (!isRecord(data)) throw new ModelStreamError('The stream sent an event that is not a completion chunk');
  if (!Array.isArray(data.choices)) {
    const error = readErrorObject(IN_STREAM_FAILURE_STATUS, data);
    throw new ModelStreamError(error?.message ?? 'The stream sent an event that is not a completion chunk', error);
  }
  return rememberChunkText(data as unknown as ChatCompletionChunk, event.data);
}
