import type { GovernedRequest } from '../integrations/governed/governed-request';
import type { OperationContext } from '../vendors/vendor-descriptor';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingRequest, EmbeddingResult, ModelInfo } from './model-wire';

/**
 * A model provider's side of the model gateway, declared by its vendor descriptor (`models`): how the
 * neutral request (the chat-completions wire shape) becomes the vendor's request and its answer becomes the neutral
 * answer. Pure functions, no I/O: the gateway sends every request through the governed pipeline.
 */
export interface ModelProtocol {
  /**
   * The vendor request of a chat completion. A streamed one (`request.stream`) must ask the vendor for
   * usage (`stream_options.include_usage`; NDJSON APIs report eval counts anyway), whatever the
   * caller asked: the gateway records usage on every run and strips it for callers who did not ask.
   */
  chatRequest(request: ChatCompletionRequest, context: OperationContext): GovernedRequest;
  /** The neutral completion from a 2xx answer's parsed JSON body. Throws ModelAnswerError when the body is not one. */
  chatResult(body: unknown, request: ChatCompletionRequest): ChatCompletion;
  /** A decoder for one streamed answer's bytes (SSE, NDJSON). */
  streamDecoder(request: ChatCompletionRequest): ChatStreamDecoder;
  embedRequest(request: EmbeddingRequest, context: OperationContext): GovernedRequest;
  embedResult(body: unknown, request: EmbeddingRequest): EmbeddingResult;
  modelsRequest(context: OperationContext): GovernedRequest;
  modelsResult(body: unknown): ModelInfo[];
  /** The vendor's error answer in the chat-completions API's terms (its JSON error body read); undefined when the body says nothing usable. */
  errorOf(answer: { status: number; body: Buffer }): VendorModelError | undefined;
}

/**
 * Turns a streamed answer's bytes into chunks. Bytes arrive split anywhere (inside a line, inside a
 * UTF-8 sequence); the decoder keeps what is incomplete until the next push.
 */
export interface ChatStreamDecoder {
  /**
   * The chunks completed by these bytes. Throws ModelStreamError when the vendor sent an error in the
   * stream, once the chunks that came before the error have been returned (by this call or an earlier one).
   */
  push(bytes: Buffer): ChatCompletionChunk[];
  /**
   * The upstream body ended: the chunks still held, and whether the vendor ended the stream as its
   * protocol says it ends (`data: [DONE]`, an NDJSON `"done": true`). `complete: false` is a cut stream.
   */
  end(): { chunks: ChatCompletionChunk[]; complete: boolean };
}

/** The chat-completions API's error object: what the HTTP surface answers as `{error: {...}}`. */
export interface VendorModelError {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

/** A 2xx answer that is not what the protocol says it is (no choices, not JSON): the vendor broke its contract. */
export class ModelAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelAnswerError';
  }
}

/** The vendor reported an error inside a stream it had started (an SSE `error` object, an NDJSON `error` line). */
export class ModelStreamError extends Error {
  constructor(
    message: string,
    readonly vendorError?: VendorModelError,
  ) {
    super(message);
    this.name = 'ModelStreamError';
  }
}
