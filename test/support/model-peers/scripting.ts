/** Answers a test queues for a model peer's next chat or embedding requests, to stage vendor faults. */

/** A vendor error answer; `body` and `headers` replace or add to the vendor's own for that status. */
export interface ScriptedError {
  readonly kind: 'error';
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A stream that sends its first `afterChunks` chunks, then drops the connection. */
export interface ScriptedCut {
  readonly kind: 'cut';
  readonly afterChunks: number;
}

/** A stream that sends its first `afterChunks` chunks, then nothing, holding the connection until the client leaves. */
export interface ScriptedStall {
  readonly kind: 'stall';
  readonly afterChunks: number;
}

/** A stream that sends its first `afterChunks` chunks, then the vendor's in-stream error event, and ends. */
export interface ScriptedStreamError {
  readonly kind: 'stream-error';
  readonly afterChunks: number;
  /** The error object the event carries (the vendor's default otherwise). */
  readonly error?: unknown;
}

/** The normal answer, after a wait before the status line. */
export interface ScriptedDelay {
  readonly kind: 'delay';
  readonly ms: number;
}

export type ScriptedAnswer = ScriptedError | ScriptedCut | ScriptedStall | ScriptedStreamError | ScriptedDelay;

/** What can go wrong once a stream has started. */
export type StreamFault = ScriptedCut | ScriptedStall | ScriptedStreamError;

export function isStreamFault(answer: ScriptedAnswer | undefined): answer is StreamFault {
  return answer?.kind === 'cut' || answer?.kind === 'stall' || answer?.kind === 'stream-error';
}

/** First in, first out. */
export class AnswerScript {
  private readonly queue: ScriptedAnswer[] = [];

  push(...answers: ScriptedAnswer[]): void {
    this.queue.push(...answers);
  }

  next(): ScriptedAnswer | undefined {
    return this.queue.shift();
  }

  get pending(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue.length = 0;
  }
}
