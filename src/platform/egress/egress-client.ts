import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Agent, buildConnector, Dispatcher } from 'undici';
import { classifyError, IntegrationError, integrationErrorIn } from '../resilience/failure-classifier';
import { EgressOptions } from './egress.options';
import { EgressPolicy } from './egress-policy';

export interface EgressRequest {
  url: string | URL;
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Uint8Array;
  /** Whole request: connect, response headers and body. Default EGRESS_REQUEST_TIMEOUT. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default EGRESS_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  latencyMs: number;
}

export interface EgressStreamRequest extends Omit<EgressRequest, 'maxResponseBytes' | 'timeoutMs'> {
  /** Connect and response headers. Default EGRESS_REQUEST_TIMEOUT. */
  timeoutMs?: number;
  /** Longest silence between two chunks of the body. Default EGRESS_STREAM_IDLE_TIMEOUT. */
  idleTimeoutMs?: number;
}

/** The bytes of a streamed body as they arrive. */
export interface EgressStreamBody extends AsyncIterable<Buffer> {
  /** Stops reading and closes the connection to the vendor (a caller that went away). */
  close(): void;
}

/**
 * A response whose body is read as it arrives. Iterating the body fails with an IntegrationError
 * (Transient `stream_idle_timeout`, a transport code, `aborted`) when the vendor stalls or cuts the
 * stream or the caller aborts.
 */
export interface EgressStream {
  status: number;
  headers: Record<string, string | string[]>;
  body: EgressStreamBody;
  /** Until the response headers arrived. */
  latencyMs: number;
}

const noop = (): void => undefined;

/**
 * The one outbound HTTP client (vendor API calls, webhook deliveries). Destinations pass EgressPolicy
 * inside the connector, and the socket is opened to the very address that passed, so a name cannot
 * resolve to a public address for the check and to a private one for the connection. Redirects are
 * returned, never followed. Every failure comes out as an IntegrationError whose message names host and
 * path only: queries and headers may carry secrets.
 */
@Injectable()
export class EgressClient implements OnModuleDestroy {
  private readonly agent: Agent;
  /** Streams hold their connection for minutes: a pool of their own, so they never starve short calls. */
  private readonly streamAgent: Agent;

  constructor(
    private readonly options: EgressOptions,
    private readonly policy: EgressPolicy,
  ) {
    this.agent = this.guardedAgent(options.maxConnectionsPerOrigin);
    this.streamAgent = this.guardedAgent(options.maxStreamsPerOrigin);
  }

  private guardedAgent(connections: number): Agent {
    const openSocket = buildConnector({ timeout: this.options.connectTimeoutMs });
    return new Agent({
      connections,
      connect: (target, callback) => {
        this.policy.resolve(target.hostname).then(
          ({ address }) => {
            try {
              // The name stays the TLS server name, so SNI and the certificate check are unchanged.
              const servername = isIP(target.hostname) ? undefined : target.hostname.replace(/\.$/, '');
              openSocket({ ...target, hostname: address, servername }, callback);
            } catch (error) {
              callback(error as Error, null);
            }
          },
          (error: Error) => callback(error, null),
        );
      },
    });
  }

  async request(request: EgressRequest): Promise<EgressResponse> {
    const { url, target } = this.destination(request);
    const abort = new RequestAbort(target, request.timeoutMs ?? this.options.requestTimeoutMs, request.signal);
    const startedAt = performance.now();
    try {
      const response = await this.agent.request({ ...dispatchOf(url, request), signal: abort.emitter });
      const body = await readBody(response, request.maxResponseBytes ?? this.options.maxResponseBytes, target);
      return {
        status: response.statusCode,
        headers: response.headers as Record<string, string | string[]>,
        body,
        latencyMs: performance.now() - startedAt,
      };
    } catch (error) {
      throw abort.failure(error);
    } finally {
      abort.release();
    }
  }

  /**
   * A request whose response body is handed over as it arrives (server-sent events, NDJSON). The timeout
   * covers the response headers; after them, only silences longer than the idle timeout fail the body.
   */
  async stream(request: EgressStreamRequest): Promise<EgressStream> {
    const { url, target } = this.destination(request);
    const idleTimeoutMs = request.idleTimeoutMs ?? this.options.streamIdleTimeoutMs;
    const abort = new RequestAbort(target, request.timeoutMs ?? this.options.requestTimeoutMs, request.signal);
    const startedAt = performance.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await this.streamAgent.request({ ...dispatchOf(url, request), signal: abort.emitter, bodyTimeout: idleTimeoutMs });
    } catch (error) {
      abort.release();
      throw abort.failure(error);
    }
    // From here on only the caller's abort and the idle timeout end the body; it releases the abort when it closes.
    abort.stopTimer();
    return {
      status: response.statusCode,
      headers: response.headers as Record<string, string | string[]>,
      body: streamBody(response.body, target, idleTimeoutMs, abort),
      latencyMs: performance.now() - startedAt,
    };
  }

  /** The request's URL and the name its errors use; an IP literal is refused here, before the pool sees it (names are checked by the connector). */
  private destination(request: Pick<EgressRequest, 'url' | 'signal'>): { url: URL; target: string } {
    const url = this.policy.parseUrl(request.url);
    const target = `${url.host}${url.pathname}`;
    this.policy.checkIpLiteral(url.hostname);
    if (request.signal?.aborted) throw abortedByCaller(target, request.signal.reason, undefined);
    return { url, target };
  }

  /** The create-time check of a destination (a webhook subscription, a connection's base URL): form, then resolution and policy. */
  async assertDestinationAllowed(url: string | URL): Promise<void> {
    await this.policy.resolve(this.policy.parseUrl(url).hostname);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.agent.close(), this.streamAgent.close()]);
  }
}

/** Reads at most `limit` bytes; a larger body destroys the connection instead of draining it. */
function readBody({ body, headers }: Dispatcher.ResponseData, limit: number, target: string): Promise<Buffer> {
  const tooLarge = () => IntegrationError.validation('response_too_large', `Egress to ${target}: the response body exceeds ${limit} bytes`);
  if (Number(headers['content-length']) > limit) {
    body.on('error', noop).destroy();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('error', reject);
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.removeAllListeners('data').on('error', noop).destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
  });
}

/**
 * What ends a request early: its timeout, or the caller's signal. undici takes an EventEmitter as its
 * signal, much cheaper per request than an AbortController. Failures are told in the platform's terms.
 */
class RequestAbort {
  readonly emitter = new EventEmitter();
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = () => this.emitter.emit('abort');

  constructor(
    private readonly target: string,
    private readonly timeoutMs: number,
    readonly callerSignal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.emitter.emit('abort');
    }, timeoutMs);
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  stopTimer(): void {
    clearTimeout(this.timer);
  }

  release(): void {
    this.stopTimer();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }

  failure(error: unknown): IntegrationError {
    if (this.timedOut) return IntegrationError.transient('timeout', `Egress to ${this.target} timed out after ${this.timeoutMs}ms`, { cause: error });
    if (this.callerSignal?.aborted) return abortedByCaller(this.target, this.callerSignal.reason, error);
    return transportFailure(this.target, error);
  }
}

function dispatchOf(url: URL, request: Pick<EgressRequest, 'method' | 'headers' | 'body'>) {
  return { origin: url.origin, path: `${url.pathname}${url.search}`, method: request.method, headers: request.headers, body: request.body };
}

/** The body of a stream, read chunk by chunk, its failures in the platform's terms (undici's name its internals). */
function streamBody(body: Readable, target: string, idleTimeoutMs: number, abort: RequestAbort): EgressStreamBody {
  body.once('close', () => abort.release());
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of body) yield chunk as Buffer;
      } catch (error) {
        if (error instanceof IntegrationError) throw error;
        if ((error as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT') {
          throw IntegrationError.transient('stream_idle_timeout', `Egress to ${target}: the stream was silent for more than ${idleTimeoutMs}ms`, { cause: error });
        }
        throw abort.failure(error);
      }
    },
    close: () => {
      body.on('error', noop).destroy();
    },
  };
}

function abortedByCaller(target: string, reason: unknown, error: unknown): IntegrationError {
  const code = (reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'timeout' : 'aborted';
  return IntegrationError.transient(code, `Egress to ${target} was aborted by the caller`, { cause: error ?? reason });
}

function transportFailure(target: string, error: unknown): IntegrationError {
  // The policy's own errors (refusal, DNS failure) reach the request as thrown, or as the cause of undici's.
  const known = integrationErrorIn(error);
  if (known) return known;
  if ((error as { code?: unknown }).code === 'UND_ERR_INVALID_ARG') {
    return IntegrationError.validation('invalid_request', `Egress to ${target}: the request is malformed`, { cause: error });
  }
  const { category, code } = classifyError(error);
  const transportCode = code === 'unclassified' ? 'network_error' : code;
  return new IntegrationError(category, transportCode, `Egress to ${target} failed: ${transportCode.replace(/_/g, ' ')}`, { cause: error });
}
