/**
 * What the model peers answer, whatever the vendor: a fixed text of numbered words, a tool call, or a JSON
 * object, sized so tests can predict every token count; and embedding vectors derived from the input alone.
 */

/** The answer as the pieces it streams in, one piece per chunk. */
export type AnswerPlan =
  | { readonly kind: 'text'; readonly pieces: readonly string[]; readonly finishReason: 'stop' | 'length' }
  | { readonly kind: 'tool-call'; readonly name: string; readonly argumentPieces: readonly string[] };

export const TOOL_CALL_ID = 'call_0';
export const TOOL_ARGUMENTS = { location: 'Paris' } as const;
const TOOL_ARGUMENT_PIECES = ['{"location":', '"Paris"}'] as const;
const JSON_ANSWER_PIECES = ['{"ok":', 'true}'] as const;

const wordPiecesByCount = new Map<number, readonly string[]>();

/** `["w0", " w1", …]`: shared between answers, so a stream allocates nothing for its words. */
export function wordPieces(count: number): readonly string[] {
  let pieces = wordPiecesByCount.get(count);
  if (!pieces) {
    pieces = Array.from({ length: count }, (_, index) => (index === 0 ? 'w0' : ` w${index}`));
    wordPiecesByCount.set(count, pieces);
  }
  return pieces;
}

export interface AnswerRequest {
  readonly words: number;
  /** Tokens the request allows the answer (`max_tokens`, `num_predict`). */
  readonly maxTokens?: number;
  /** Set when the model is to call a tool now. */
  readonly toolName?: string;
  readonly json: boolean;
}

export function planAnswer(request: AnswerRequest): AnswerPlan {
  if (request.toolName !== undefined) return { kind: 'tool-call', name: request.toolName, argumentPieces: TOOL_ARGUMENT_PIECES };
  const full = request.json ? JSON_ANSWER_PIECES : wordPieces(request.words);
  const limit = request.maxTokens;
  if (limit !== undefined && limit >= 0 && limit < full.length) return { kind: 'text', pieces: full.slice(0, limit), finishReason: 'length' };
  return { kind: 'text', pieces: full, finishReason: 'stop' };
}

/** Completion tokens: one per streamed piece. */
export function completionTokens(plan: AnswerPlan): number {
  return plan.kind === 'text' ? plan.pieces.length : plan.argumentPieces.length;
}

export function answerText(plan: Extract<AnswerPlan, { kind: 'text' }>): string {
  return plan.pieces.join('');
}

export function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const whitespace = code === 32 || (code >= 9 && code <= 13) || code === 0xa0;
    if (!whitespace && !inWord) count++;
    inWord = !whitespace;
  }
  return count;
}

/** Prompt tokens: the words of every message's text, whether a string or text parts. */
export function promptTokens(messages: unknown): number {
  if (!Array.isArray(messages)) return 0;
  let count = 0;
  for (const message of messages as Array<{ content?: unknown }>) {
    const content = message?.content;
    if (typeof content === 'string') count += countWords(content);
    else if (Array.isArray(content)) {
      for (const part of content as Array<{ type?: unknown; text?: unknown }>) {
        if (part?.type === 'text' && typeof part.text === 'string') count += countWords(part.text);
      }
    }
  }
  return count;
}

export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/**
 * A vector in [-1, 1] seeded by the input's hash (FNV-1a, then mulberry32). Values are float32, so the
 * base64 encoding of the same vector decodes to exactly these numbers.
 */
export function embeddingVector(input: string | readonly number[], dimensions: number): number[] {
  const text = typeof input === 'string' ? input : input.join(',');
  let seed = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) seed = Math.imul(seed ^ text.charCodeAt(index), 0x01000193) >>> 0;
  const vector = new Array<number>(dimensions);
  for (let index = 0; index < dimensions; index++) {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(seed ^ (seed >>> 15), seed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    vector[index] = Math.fround(unit * 2 - 1);
  }
  return vector;
}

/** Little-endian float32 bytes, base64: OpenAI's `encoding_format: "base64"`. */
export function base64Embedding(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** An embeddings request's `input` as the items it embeds: a text, several, one token array or several. */
export function embeddingItems(input: unknown): Array<string | number[]> | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input as number[]];
  if (input.every((item) => typeof item === 'string' || (Array.isArray(item) && item.every((token) => typeof token === 'number')))) return input as Array<string | number[]>;
  return undefined;
}

export function embeddingInputTokens(items: ReadonlyArray<string | readonly number[]>): number {
  return items.reduce((sum, item) => sum + (typeof item === 'string' ? countWords(item) : item.length), 0);
}

/**
 * The tool the model calls: the forced one, else the first; none when tools are off, absent, or the
 * last message already is a tool's result (the model then answers in text).
 */
export function toolToCall(tools: unknown, messages: unknown, toolChoice?: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0 || toolChoice === 'none') return undefined;
  const last: unknown = Array.isArray(messages) ? messages[messages.length - 1] : undefined;
  if ((last as { role?: unknown } | undefined)?.role === 'tool') return undefined;
  const forced = (toolChoice as { function?: { name?: unknown } } | undefined)?.function?.name;
  if (typeof forced === 'string') return forced;
  const first = (tools[0] as { function?: { name?: unknown } } | undefined)?.function?.name;
  return typeof first === 'string' ? first : undefined;
}
