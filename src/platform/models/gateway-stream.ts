import type { GovernedStream } from '../integrations/governed/governed-http-client';
import { IntegrationError } from '../resilience/failure-classifier';
import type { RunUsage } from '../runs/run-recorder';
import { ModelAttempt, ModelStream, ModelStreamInterrupted } from './model-calls';
import { TargetFailure, errorFailure, rateLimitHeadersOf } from './model-failures';
import { ChatStreamDecoder, ModelStreamError } from './model-protocol';
import type { ChatCompletionChunk, Usage } from './model-wire';

export interface StreamTarget {
  readonly requestId: string;
  readonly providerId: string;
  readonly connectionId: string;
  readonly model: string;
  /** The caller asked for the usage chunk (it is always read, and recorded on the run). */
  readonly includeUsage: boolean;
  /** performance.now() when the request was sent. */
  readonly sentAt: number;
  readonly attempts: readonly ModelAttempt[];
  readonly signal?: AbortSignal;
  /** Called once, when the stream ended properly (usage known) or not. */
  readonly onEnd: (outcome: { usage?: Usage; firstTokenMs?: number; failed: boolean }) => Promise<void>;
}

/**
 * One started stream of a vendor, decoded into chunks. `open()` reads until the first token (or the end
 * of a stream that has none): until then nothing reached the caller, so a failure is the target's and
 * the gateway may try the next. From the first token on, a cut, an error event or a stall ends the
 * iteration with ModelStreamInterrupted and the run Failed, never a quiet end.
 */
export class GatewayStream implements ModelStream {
  readonly runId: string;
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
  private readonly body: AsyncIterator<Buffer>;
  private readonly held: ChatCompletionChunk[] = [];
  private bodyDone = false;
  private ended = false;
  private cancelled = false;
  private firstTokenMs: number | undefined;
  private reportedUsage: Usage | undefined;
  /** The decoder's verdict on the end of the body, once read. */
  private decoderEndResult: boolean | undefined;
  private readonly onAbort = () => this.cancel();

  constructor(
    private readonly upstream: GovernedStream,
    private readonly decoder: ChatStreamDecoder,
    private readonly target: StreamTarget,
  ) {
    this.runId = upstream.run.id;
    this.rateLimitHeaders = rateLimitHeadersOf(upstream.headers);
    this.body = upstream.body[Symbol.asyncIterator]();
    target.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get requestId(): string {
    return this.target.requestId;
  }

  get attempts(): readonly ModelAttempt[] {
    return this.target.attempts;
  }

  get providerId(): string {
    return this.target.providerId;
  }

  get connectionId(): string {
    return this.target.connectionId;
  }

  get model(): string {
    return this.target.model;
  }

  get usage(): Usage | undefined {
    return this.reportedUsage;
  }

  /** Reads up to the first token. A failure before it is the target's (TargetFailure, the run Failed): nothing was sent on. */
  async open(): Promise<void> {
    try {
      while (this.firstTokenMs === undefined && !this.bodyDone) await this.pull();
      if (this.bodyDone && !this.decoderEnd())
        throw IntegrationError.transient('stream_truncated', `The vendor of connection ${this.connectionId} ended the stream before its end`);
    } catch (error) {
      await this.finish(error);
      throw errorFailure(streamError(error));
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The chunks in the batches they arrived in (one read of the vendor's body each): what a relay writes at once. */
  async *batches(): AsyncGenerator<ChatCompletionChunk[]> {
    try {
      for (;;) {
        if (this.held.length > 0) {
          const batch = this.held.splice(0, this.held.length).filter((chunk) => this.target.includeUsage || !isUsageChunk(chunk));
          if (batch.length > 0) yield batch;
        }
        if (this.ended) return;
        if (this.bodyDone) {
          if (!this.decoderEnd()) throw IntegrationError.transient('stream_truncated', `The vendor of connection ${this.connectionId} cut the stream before its end`);
          if (this.held.length > 0) continue;
          await this.finish(undefined);
          return;
        }
        await this.pull();
      }
    } catch (error) {
      if (this.cancelled) return;
      const failure = streamError(error);
      await this.finish(failure);
      throw new ModelStreamInterrupted(failure.category, failure.code, `${failure.message} (run ${this.runId})`, this.runId);
    } finally {
      // A caller that stops iterating early (break, return) abandons the stream: the vendor's connection closes.
      if (!this.ended) this.cancel();
    }
  }

  cancel(): void {
    if (this.ended) return;
    this.cancelled = true;
    void this.finish(IntegrationError.transient('aborted', 'The caller went away before the stream ended'));
  }

  private async pull(): Promise<void> {
    const next = await this.body.next();
    if (next.done) {
      this.bodyDone = true;
      return;
    }
    for (const chunk of this.decoder.push(next.value)) this.hold(chunk);
  }

  /** Whether the vendor ended the stream as its protocol says, the decoder's last chunks held. */
  private decoderEnd(): boolean {
    if (this.decoderEndResult === undefined) {
      const { chunks, complete } = this.decoder.end();
      for (const chunk of chunks) this.hold(chunk);
      this.decoderEndResult = complete;
    }
    return this.decoderEndResult;
  }

  private hold(chunk: ChatCompletionChunk): void {
    if (chunk.usage) this.reportedUsage = chunk.usage;
    if (this.firstTokenMs === undefined && carriesToken(chunk)) this.firstTokenMs = performance.now() - this.target.sentAt;
    this.held.push(chunk);
  }

  /** Ends the run once: Completed at the proper end, Failed otherwise (the vendor's connection closed). */
  private async finish(error: unknown): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.target.signal?.removeEventListener('abort', this.onAbort);
    const summary = { usage: runUsage(this.reportedUsage), firstTokenMs: this.firstTokenMs };
    if (error === undefined) await this.upstream.complete(summary);
    else await this.upstream.fail(error, summary);
    await this.target.onEnd({ usage: this.reportedUsage, firstTokenMs: this.firstTokenMs, failed: error !== undefined });
  }
}

/** A token: text, a refusal or a piece of a tool call; the role-only first chunk and filter results are not. */
function carriesToken(chunk: ChatCompletionChunk): boolean {
  for (const choice of chunk.choices) {
    const { delta } = choice;
    if ((delta.content !== undefined && delta.content !== null && delta.content !== '') || (delta.tool_calls?.length ?? 0) > 0 || delta.refusal) return true;
    if (choice.finish_reason) return true;
  }
  return false;
}

function isUsageChunk(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.length === 0 && !!chunk.usage;
}

function runUsage(usage: Usage | undefined): RunUsage | undefined {
  return usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens: usage.total_tokens } : undefined;
}

/** The platform's reading of why a stream stopped: a vendor's error event is Transient, its words kept out of the run. */
function streamError(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (error instanceof TargetFailure) return new IntegrationError(error.category, error.code, error.message);
  if (error instanceof ModelStreamError) return IntegrationError.transient('stream_error', 'The vendor reported an error in the stream');
  return IntegrationError.transient('stream_failed', 'The stream failed');
}
