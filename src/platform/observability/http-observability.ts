import type { Socket } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ObservabilityOptions } from '../config/observability.options';
import { ContextStore, RequestContext } from '../context/request-context';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { PlatformMetrics } from './platform-metrics';
import { ROOT_LOGGER } from './observability.tokens';
import { continueTrace } from './tracing';

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
const CONTEXT = Symbol('requestContext');
const STARTED = Symbol('requestStarted');

/** Routes are bounded (matched templates), methods and statuses nearly so; the cap only guards against surprises. */
const MAX_SERIES = 2_000;

interface HttpSeries {
  requests: { inc(): void };
  duration: { observe(value: number): void };
}

type ObservedRequest = FastifyRequest & { [CONTEXT]?: ContextStore; [STARTED]?: bigint };

/**
 * Hooks on every request: `onRequest` opens the request context (trace continued from `traceparent`)
 * and counts the request as in-flight work; `preHandler` runs the handler inside that context; when the
 * answer is finished, or the client goes away first, the work ends and one log line and the HTTP
 * metrics are recorded under the matched route (never the raw path, which would explode cardinality).
 *
 * A request's work also ends when its socket closes: a client that pipelines requests and hangs up
 * leaves responses that were never written and never emit `close` themselves.
 */
@Injectable()
export class HttpObservability {
  private readonly pendingBySocket = new WeakMap<Socket, Set<() => void>>();
  private readonly series = new Map<string, HttpSeries>();

  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly lifecycle: ProcessLifecycle,
    @Inject(ObservabilityOptions) private readonly options: ObservabilityOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      this.open(request as ObservedRequest, reply);
      done();
    });
    fastify.addHook('preHandler', (request, _reply, done) => {
      const store = (request as ObservedRequest)[CONTEXT];
      if (store) RequestContext.runIn(store, done);
      else done();
    });
  }

  private open(request: ObservedRequest, reply: FastifyReply): void {
    request[STARTED] = process.hrtime.bigint();
    const trace = continueTrace(request.headers);
    request[CONTEXT] = { trace, ids: {} };
    reply.header('x-trace-id', trace.traceId);

    const endWork = this.lifecycle.startWork('http');
    const socket = request.raw.socket;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      endWork();
      this.pendingBySocket.get(socket)?.delete(end);
      this.record(request, reply);
    };
    reply.raw.once('close', end);
    this.track(socket, end);
  }

  private track(socket: Socket, end: () => void): void {
    const pending = this.pendingBySocket.get(socket);
    if (pending) {
      pending.add(end);
      return;
    }
    const created = new Set([end]);
    this.pendingBySocket.set(socket, created);
    socket.once('close', () => {
      for (const release of [...created]) release();
      this.pendingBySocket.delete(socket);
    });
  }

  private record(request: ObservedRequest, reply: FastifyReply): void {
    const seconds = Number(process.hrtime.bigint() - (request[STARTED] ?? process.hrtime.bigint())) / 1e9;
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    const status = reply.raw.writableFinished ? reply.raw.statusCode : 499;
    const series = this.seriesOf(request.method, route, status);
    series.requests.inc();
    series.duration.observe(seconds);
    if (!this.options.logHttpRequests) return;
    const path = pathOf(request.url);
    const quiet = QUIET_PATHS.has(path) && status < 400;
    const level = quiet ? 'debug' : status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const line = { method: request.method, route, path, status, durationMs: Math.round(seconds * 10_000) / 10, userAgent: request.headers['user-agent'] };
    const log = () => this.logger[level](line, status >= 500 ? 'request failed' : 'request completed');
    const store = request[CONTEXT];
    if (store) RequestContext.runIn(store, log);
    else log();
  }

  /** The metric children of one method, route and status, resolved once (prom-client hashes the labels on every call otherwise). */
  private seriesOf(method: string, route: string, status: number): HttpSeries {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      if (this.series.size >= MAX_SERIES) this.series.clear();
      const labels = { method, route, status: String(status) };
      series = { requests: this.metrics.httpRequests.labels(labels), duration: this.metrics.httpRequestDuration.labels(labels) };
      this.series.set(key, series);
    }
    return series;
  }
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
