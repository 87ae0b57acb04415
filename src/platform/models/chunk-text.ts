import type { ChatCompletionChunk } from './model-wire';

/**
 * The JSON text a chunk arrived as, when it arrived as the very chunk the gateway forwards (a
 * chat-completions vendor's SSE data): relaying it as received saves serialising every chunk again.
 */
const received = new WeakMap<ChatCompletionChunk, string>();

export function rememberChunkText(chunk: ChatCompletionChunk, text: string): ChatCompletionChunk {
  // One SSE data line per event: text spanning lines is serialised again instead.
  if (!text.includes('\n') && !text.includes('\r')) received.set(chunk, text);
  return chunk;
}

export function chunkText(chunk: ChatCompletionChunk): string {
  return received.get(chunk) ?? JSON.stringify(chunk);
}
