import { AsyncResource } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ObservabilityOptions } from '../config/observability.options';
import { RequestContext } from '../context/request-context';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { PlatformMetrics } from './platform-metrics';
import { ROOT_LOGGER } from './observability.tokens';
import { continueTrace } from './tracing';

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * The first middleware of every request: opens the request context (trace continued from
 * `traceparent`), counts the request as in-flight work, and on completion logs one line and records
 * the HTTP metrics under the matched route (never the raw path, which would explode cardinality).
 */
@Injectable()
export class HttpObservability {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly lifecycle: ProcessLifecycle,
    @Inject(ObservabilityOptions) private readonly options: ObservabilityOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const endWork = this.lifecycle.startWork('http');
    const trace = continueTrace(request.headers);
    response.setHeader('X-Trace-Id', trace.traceId);
    RequestContext.run({ trace }, () => {
      response.once(
        'close',
        AsyncResource.bind(() => {
          endWork();
          this.record(request, response, Number(process.hrtime.bigint() - started) / 1e9);
        }),
      );
      next();
    });
  };

  private record(request: Request, response: Response, seconds: number): void {
    const route = matchedRoute(request);
    const status = response.writableFinished ? response.statusCode : 499;
    const labels = { method: request.method, route, status: String(status) };
    this.metrics.httpRequests.inc(labels);
    this.metrics.httpRequestDuration.observe(labels, seconds);
    if (!this.options.logHttpRequests) return;
    const line = {
      method: request.method,
      route,
      path: request.path,
      status,
      durationMs: Math.round(seconds * 10_000) / 10,
      userAgent: request.headers['user-agent'],
    };
    const quiet = QUIET_PATHS.has(request.path) && status < 400;
    if (quiet) this.logger.debug(line, 'request completed');
    else if (status >= 500) this.logger.error(line, 'request failed');
    else this.logger.info(line, 'request completed');
  }
}

function matchedRoute(request: Request): string {
  const routePath = (request.route as { path?: string } | undefined)?.path;
  if (!routePath) return 'unmatched';
  return `${request.baseUrl ?? ''}${routePath}`;
}
