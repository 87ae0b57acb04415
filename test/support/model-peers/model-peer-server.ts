import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerResponse, QueryObject, queryToObject, readBody, writeResponse } from '../peer-http';
import { closed, FollowedResponse, FrameSequence, pauseUnlessClosed, StreamEnding, writeFrames } from './frame-stream';
import { AnswerScript, isStreamFault, ScriptedAnswer, ScriptedError, StreamFault } from './scripting';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: QueryObject;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON; null when there was no body or it was not JSON. */
  readonly body: unknown;
  readonly at: number;
}

/** A request as the vendors' handlers see it. */
export interface ModelPeerRequest extends RecordedRequest {
  readonly searchParams: URLSearchParams;
  /** A body was sent but it is not JSON. */
  readonly malformedBody: boolean;
  /** `performance.now()` when the request arrived, for processing-time headers and durations. */
  readonly receivedAt: number;
}

/** Whether a scripted answer has answered the request already, and if not, what fault the stream is to meet. */
export type ScriptOutcome = { readonly answered: true } | { readonly answered: false; readonly fault?: StreamFault };

export interface ModelPeerOptions {
  /** Words in every text answer (default 8). */
  words?: number;
  /** Pause between stream chunks (default 0). */
  chunkDelayMs?: number;
  /** The interface to listen on (default 127.0.0.1). */
  host?: string;
}

/**
 * What the model peers share: the HTTP server (tuned for many long streams), the request log, the
 * answer script, and how streams are followed (open streams, client disconnects).
 */
export abstract class ModelPeerServer {
  readonly requests: RecordedRequest[] = [];
  words: number;
  chunkDelayMs: number;
  protected readonly answers = new AnswerScript();
  private readonly server: Server;
  private readonly host: string;
  private disconnectCount = 0;
  private openStreamCount = 0;
  private closing = false;
  private readonly disconnectWaiters = new Set<() => void>();

  protected constructor(options: ModelPeerOptions) {
    this.words = options.words ?? 8;
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.host = options.host ?? '127.0.0.1';
    // Streams may run for minutes; Node's default request timeouts would cut them.
    this.server = createServer({ requestTimeout: 0, headersTimeout: 0 });
    this.server.keepAliveTimeout = 65_000;
    this.server.on('request', (incoming: IncomingMessage, response: ServerResponse) => {
      this.onRequest(incoming, response).catch((error: unknown) => writeResponse(response, { status: 500, body: { error: String(error) } }));
    });
  }

  protected async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      // A benchmark opens a thousand connections at once: a short accept backlog would refuse some.
      this.server.listen({ port: 0, host: this.host, backlog: 4096 }, () => resolve());
    });
  }

  get url(): string {
    return `http://${hostInUrl(this.host)}:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues answers for the next chat and embedding requests, first in first out; normal answers once they are used up. */
  script(...answers: ScriptedAnswer[]): void {
    this.answers.push(...answers);
  }

  /**
   * Chat and embedding responses whose client went away before the peer had finished writing them: a
   * stream left midway, or a request given up during a scripted delay or stall.
   */
  get disconnects(): number {
    return this.disconnectCount;
  }

  get openStreams(): number {
    return this.openStreamCount;
  }

  /** Resolves with the disconnect count once it reaches `atLeast`; rejects after `timeoutMs`. */
  waitForDisconnect(timeoutMs = 5_000, atLeast = 1): Promise<number> {
    if (this.disconnectCount >= atLeast) return Promise.resolve(this.disconnectCount);
    return new Promise((resolve, reject) => {
      const onDisconnect = () => {
        if (this.disconnectCount < atLeast) return;
        this.disconnectWaiters.delete(onDisconnect);
        clearTimeout(timer);
        resolve(this.disconnectCount);
      };
      const timer = setTimeout(() => {
        this.disconnectWaiters.delete(onDisconnect);
        reject(new Error(`${this.constructor.name}: ${this.disconnectCount} client disconnect(s) after ${timeoutMs} ms, expected at least ${atLeast}`));
      }, timeoutMs);
      this.disconnectWaiters.add(onDisconnect);
    });
  }

  /** Forgets requests, scripted answers and disconnects. */
  reset(): void {
    this.requests.length = 0;
    this.answers.clear();
    this.disconnectCount = 0;
  }

  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  protected abstract handle(request: ModelPeerRequest, response: ServerResponse): Promise<void>;

  /** Follows a chat or embedding response from before any scripted delay, so a client leaving during it counts. */
  protected follow(response: ServerResponse, streaming: boolean): FollowedResponse {
    const followed = new FollowedResponse(response, streaming);
    if (streaming) this.openStreamCount++;
    response.once('close', () => {
      if (streaming) this.openStreamCount--;
      if (response.writableFinished || followed.cutByPeer || this.closing) return;
      this.disconnectCount++;
      for (const waiter of [...this.disconnectWaiters]) waiter();
    });
    return followed;
  }

  /**
   * Plays what a scripted answer does before (or instead of) the normal answer: waits out a delay,
   * answers an error with the vendor's `errorAnswer`, and plays a stream fault on a request that does
   * not stream: a cut drops the connection unanswered, a stall never answers, a stream error becomes a 500.
   */
  protected async playScriptedStart(followed: FollowedResponse, errorAnswer: (error: ScriptedError) => PeerResponse): Promise<ScriptOutcome> {
    const scripted = this.answers.next();
    const { response } = followed;
    if (!scripted) return { answered: false };
    if (scripted.kind === 'delay') {
      await pauseUnlessClosed(response, scripted.ms);
      return { answered: false };
    }
    if (scripted.kind === 'error') {
      writeResponse(response, errorAnswer(scripted));
      return { answered: true };
    }
    if (followed.streaming && isStreamFault(scripted)) return { answered: false, fault: scripted };
    if (scripted.kind === 'cut') followed.cut();
    else if (scripted.kind === 'stall') await closed(response);
    else writeResponse(response, errorAnswer({ kind: 'error', status: 500, body: scripted.error === undefined ? undefined : { error: scripted.error } }));
    return { answered: true };
  }

  protected writeStream(
    stream: FollowedResponse,
    status: number,
    headers: Record<string, string>,
    frames: FrameSequence,
    ending: StreamEnding,
    fault?: StreamFault,
  ): Promise<void> {
    if (stream.response.destroyed) return Promise.resolve();
    stream.response.writeHead(status, headers);
    return writeFrames(stream, frames, ending, this.chunkDelayMs, fault);
  }

  private async onRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    const raw = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://model-peer.invalid');
    let body: unknown = null;
    let malformedBody = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        malformedBody = true;
      }
    }
    const recorded: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: queryToObject(url.searchParams),
      headers: { ...incoming.headers },
      body,
      at: Date.now(),
    };
    this.requests.push(recorded);
    await this.handle({ ...recorded, searchParams: url.searchParams, malformedBody, receivedAt }, response);
  }
}

/** Where a client reaches a server listening on `host`. */
function hostInUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
