import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GrpcStreamWriter } from './grpc-methods';

/** Writes to a server stream, waiting for 'drain' when the transport's buffer is full. */
export class CallStreamWriter<Event> implements GrpcStreamWriter<Event> {
  private trailerValues: Readonly<Record<string, string>> = {};

  constructor(
    private readonly call: ServerWritableStream<unknown, Event>,
    private readonly signal: AbortSignal,
  ) {}

  get trailers(): Readonly<Record<string, string>> {
    return this.trailerValues;
  }

  setTrailers(trailers: Readonly<Record<string, string>>): void {
    this.trailerValues = trailers;
  }

  write(event: Event): Promise<void> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    if (this.call.write(event)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const settle = (error?: unknown) => {
        this.call.removeListener('drain', onDrain);
        this.signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain = () => settle();
      const onAbort = () => settle(this.signal.reason);
      this.call.once('drain', onDrain);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
