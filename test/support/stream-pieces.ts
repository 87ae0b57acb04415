import fc from 'fast-check';
import type { ChatCompletionChunk } from '../../src/platform/models/model-wire';
import type { ChatStreamDecoder } from '../../src/platform/models/model-protocol';

/** `bytes` cut at the given offsets (any order, repeats allowed): the pieces a socket might deliver. */
export function cutAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const offsets = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  return [0, ...offsets].map((start, index) => bytes.subarray(start, offsets[index] ?? bytes.length));
}

/** Every way of cutting `bytes` in two, the cut before each byte. */
export function everySingleCut(bytes: Buffer): number[][] {
  return Array.from({ length: bytes.length + 1 }, (_, offset) => [offset]);
}

/** Up to 20 cut offsets anywhere in a buffer of `length` bytes. */
export function arbitraryCuts(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: length }), { maxLength: 20 });
}

/** Everything a chat decoder makes of these pieces: the pushed chunks, the held ones, and whether the stream was complete. */
export function decodeChatStream(decoder: ChatStreamDecoder, pieces: readonly Buffer[]): { chunks: ChatCompletionChunk[]; complete: boolean } {
  const pushed = pieces.flatMap((piece) => decoder.push(piece));
  const { chunks, complete } = decoder.end();
  return { chunks: [...pushed, ...chunks], complete };
}
