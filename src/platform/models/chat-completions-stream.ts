import { isRecord } from './model-json';
import { IN_STREAM_FAILURE_STATUS, readErrorObject } from './model-errors';
import { ChatStreamDecoder, ModelStreamError } from './model-protocol';
import type { ChatCompletionChunk } from './model-wire';
import { ServerSentEvent, SseDecoder } from './sse-decoder';

const DONE = '[DONE]';

/**
 * A chat-completions SSE stream: each event's data is a chunk, `[DONE]` ends it. An error object in the
 * stream (the vendor gave up after the first bytes) throws; a chunk with neither choices nor usage
 * (a content-filter report on the prompt, sent before the first token) is dropped, not forwarded.
 */
export class ChatCompletionsStreamDecoder implements ChatStreamDecoder {
  private readonly events = new SseDecoder();
  private done = false;

  push(bytes: Buffer): ChatCompletionChunk[] {
    return this.chunksOf(this.events.push(bytes));
  }

  end(): { chunks: ChatCompletionChunk[]; complete: boolean } {
    const chunks = this.chunksOf(this.events.end());
    return { chunks, complete: this.done };
  }

  private chunksOf(events: readonly ServerSentEvent[]): ChatCompletionChunk[] {
    const chunks: ChatCompletionChunk[] = [];
    for (const event of events) {
      if (this.done) break;
      if (event.data.trim() === DONE) {
        this.done = true;
        continue;
      }
      const chunk = chunkOf(event);
      if (chunk.choices.length > 0 || isRecord(chunk.usage)) chunks.push(chunk);
    }
    return chunks;
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
  return data as unknown as ChatCompletionChunk;
}
