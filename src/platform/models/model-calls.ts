import type { FailureCategory } from '../runs/entities/integration-failure.entity';
import type { VendorModelError } from './model-protocol';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionParameters, EmbeddingRequest, EmbeddingResult, ModelInfo, Usage } from './model-wire';

/**
 * What callers of the model gateway (the chat-completions HTTP surface, the gRPC Models service, the
 * catalogue's operations) hand in and get back.
 */

/**
 * Which model to run: `connectionId` + `model` names one target (the HTTP `x-connection-id` header, the
 * gRPC `connection_id`); `model` alone names one of the tenant's model routes.
 */
export interface ModelSelector {
  readonly connectionId?: string;
  readonly model: string;
}

export interface ModelCallOptions {
  /** Aborts the call, and the upstream request with it (a client that went away, a gRPC cancellation). */
  readonly signal?: AbortSignal;
  /** Epoch ms by which the whole call must be done (a gRPC deadline); bounds every attempt's timeout. */
  readonly deadline?: number;
}

/** The caller's request: the neutral shape, `model` being the selector's (a route name or the target's model). */
export type ChatCall = ChatCompletionParameters;
export type EmbeddingCall = Omit<EmbeddingRequest, 'model'>;

/** One attempt at one target: its own IntegrationRun, linked to the others by the gateway request id. */
export interface ModelAttempt {
  /** Null when the platform's own budget refused the target before a run began. */
  readonly runId: string | null;
  readonly connectionId: string;
  readonly providerId: string;
  readonly model: string;
  /** Set when the attempt failed and the gateway moved on (or gave up). */
  readonly failure?: { readonly category: FailureCategory; readonly code: string };
}

export interface ModelAnswerMeta {
  /** `mreq-…`: every attempt's run carries it. */
  readonly requestId: string;
  /** The attempt that answered is the last. */
  readonly attempts: readonly ModelAttempt[];
  /** The answering vendor's rate-limit headers (`x-ratelimit-*`, `retry-after`), passed to callers. */
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
}

export interface CompletionAnswer extends ModelAnswerMeta {
  readonly completion: ChatCompletion;
}

export interface EmbeddingAnswer extends ModelAnswerMeta {
  readonly result: EmbeddingResult;
}

export interface ModelListAnswer {
  /** A connection's models carry its id; a tenant's model routes are marked `route`. */
  readonly models: readonly (ModelInfo & { readonly connectionId?: string; readonly route?: boolean })[];
}

/**
 * A started stream: returned once the first chunk has arrived (every fallback happens before that), so
 * the caller can commit to a status. Iterate it for the chunks; the usage chunk comes last when the
 * caller asked for usage. It throws ModelStreamInterrupted when the upstream cuts, errors or stalls.
 * `cancel()` (or the call's signal) aborts the upstream request and ends the run as Failed (`aborted`).
 */
export interface ModelStream extends ModelAnswerMeta, AsyncIterable<ChatCompletionChunk> {
  readonly runId: string;
  readonly providerId: string;
  readonly connectionId: string;
  readonly model: string;
  /** Known once the stream ended. */
  readonly usage: Usage | undefined;
  /** The same chunks grouped as they arrived from the vendor (a relay writes each group at once); iterate one way only. */
  batches(): AsyncIterable<readonly ChatCompletionChunk[]>;
  cancel(): void;
}

/**
 * The gateway could not answer: every target failed before answering, or the request is wrong. `status`
 * and `error` are what a chat-completions API answers; `headers` the vendor's rate-limit headers.
 */
export class ModelCallError extends Error {
  constructor(
    readonly status: number,
    readonly error: VendorModelError,
    readonly details: {
      readonly category?: FailureCategory;
      readonly headers?: Readonly<Record<string, string>>;
      readonly attempts?: readonly ModelAttempt[];
      readonly requestId?: string;
      readonly retryAfterMs?: number;
    } = {},
  ) {
    super(error.message);
    this.name = 'ModelCallError';
  }
}

/** A stream that had started ended without its proper end: the caller gets an explicit error, never a clean end. */
export class ModelStreamInterrupted extends Error {
  constructor(
    readonly category: FailureCategory,
    readonly code: string,
    message: string,
    readonly runId: string,
  ) {
    super(message);
    this.name = 'ModelStreamInterrupted';
  }
}
