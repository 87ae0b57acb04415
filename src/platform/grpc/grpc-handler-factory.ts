import { handleServerStreamingCall, handleUnaryCall, Metadata, ServerUnaryCall, ServerWritableStream, status, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Scope } from '../auth/scopes';
import { ObservabilityOptions } from '../config/observability.options';
import { ContextStore, RequestContext } from '../context/request-context';
import { ProcessLifecycle } from '../lifecycle/process-lifecycle';
import { ROOT_LOGGER } from '../observability/observability.tokens';
import { continueTrace, TraceCarrier } from '../observability/tracing';
import { PlatformMetrics } from '../observability/platform-metrics';
import { cancellationOf } from './grpc-call-cancellation';
import { GrpcCallAuthenticator } from './grpc-call-authenticator';
import { GrpcError, statusName, toMetadata } from './grpc-error';
import type { GrpcCallScope, GrpcMethods, ServerStreamMethod, UnaryMethod } from './grpc-methods';
import { CallStreamWriter } from './grpc-stream-writer';

/** Statuses that mean the server failed, not the caller. */
const SERVER_FAULTS: ReadonlySet<status> = new Set([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS, status.UNIMPLEMENTED]);

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/**
 * Turns a service's declared methods into grpc-js handlers: authentication and scope, the tenant in
 * RequestContext, cancellation and deadline, in-flight tracking for shutdown, metrics and a log line,
 * and the mapping of failures to statuses (a GrpcError keeps its status; anything else is logged and
 * answered INTERNAL with a generic message).
 */
@Injectable()
export class GrpcHandlerFactory {
  constructor(
    private readonly authenticator: GrpcCallAuthenticator,
    private readonly metrics: PlatformMetrics,
    private readonly lifecycle: ProcessLifecycle,
    private readonly observability: ObservabilityOptions,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  handlersOf(service: string, methods: GrpcMethods): UntypedServiceImplementation {
    return Object.fromEntries(
      Object.entries(methods).map(([name, method]) => {
        const path = `${service}/${name}`;
        return [name, method.kind === 'unary' ? this.unaryHandler(path, method) : this.serverStreamHandler(path, method)];
      }),
    );
  }

  private unaryHandler(path: string, method: UnaryMethod): handleUnaryCall<unknown, unknown> {
    return (call, callback) => {
      const tracked = this.track(path);
      const cancellation = cancellationOf(call);
      this.serve(call, method.scope, cancellation, tracked, (scope) => method.handle(call.request, scope))
        .then(
          ({ response, trailers }) => {
            tracked.finish(status.OK);
            callback(null, response, trailers ? toMetadata(trailers) : undefined);
          },
          (error: unknown) => {
            const failure = tracked.inContext(() => this.toGrpcError(error, path, cancellation.signal));
            tracked.finish(failure.code);
            callback({ code: failure.code, details: failure.message, metadata: failure.metadata() });
          },
        )
        .finally(cancellation.dispose);
    };
  }

  private serverStreamHandler(path: string, method: ServerStreamMethod): handleServerStreamingCall<unknown, unknown> {
    return (call) => {
      const tracked = this.track(path);
      const cancellation = cancellationOf(call);
      const writer = new CallStreamWriter(call, cancellation.signal);
      this.serve(call, method.scope, cancellation, tracked, (scope) => method.handle(call.request, writer, scope))
        .then(
          () => {
            if (call.cancelled) return tracked.finish(cancelledCode(cancellation.signal));
            tracked.finish(status.OK);
            call.end(toMetadata(writer.trailers));
          },
          (error: unknown) => {
            const failure = tracked.inContext(() => this.toGrpcError(error, path, cancellation.signal));
            tracked.finish(failure.code);
            if (!call.cancelled) call.emit('error', { code: failure.code, details: failure.message, metadata: failure.metadata() });
          },
        )
        .finally(cancellation.dispose);
    };
  }

  private async serve<T>(
    call: AnyCall,
    scope: Scope,
    cancellation: { signal: AbortSignal; deadline?: number },
    tracked: TrackedCall,
    work: (scope: GrpcCallScope) => Promise<T>,
  ): Promise<T> {
    const principal = await this.authenticator.authenticate(call.metadata, scope);
    const callScope: GrpcCallScope = { principal, signal: cancellation.signal, deadline: cancellation.deadline, metadata: call.metadata };
    const store = {
      tenantId: principal.tenantId,
      subject: principal.subject,
      scopes: principal.scopes,
      trace: continueTrace(traceCarrierOf(call.metadata)),
      correlationId: correlationIdOf(call.metadata),
    };
    return RequestContext.run(store, () => {
      tracked.context = RequestContext.current();
      return work(callScope);
    });
  }

  private toGrpcError(error: unknown, path: string, signal: AbortSignal): GrpcError {
    if (error instanceof GrpcError) return error;
    // A handler that fails because its call went away: the failure is the cancellation, not a bug.
    if (signal.aborted && signal.reason instanceof GrpcError) return signal.reason;
    this.logger.error({ err: error, grpcMethod: path }, 'gRPC call failed unexpectedly');
    return new GrpcError(status.INTERNAL, 'Internal error');
  }

  /** Starts one call's in-flight work and clock; `finish` ends them with the call's status, metrics and log line. */
  private track(path: string): TrackedCall {
    const started = performance.now();
    const endWork = this.lifecycle.startWork('grpc');
    const tracked: TrackedCall = {
      inContext: (work) => (tracked.context ? RequestContext.runIn(tracked.context, work) : work()),
      finish: (code) => {
        endWork();
        const seconds = (performance.now() - started) / 1000;
        const labels = { method: path, code: statusName(code) };
        this.metrics.grpcRequests.inc(labels);
        this.metrics.grpcRequestDuration.observe(labels, seconds);
        if (!this.observability.logHttpRequests) return;
        const failed = SERVER_FAULTS.has(code);
        const line = { grpcMethod: path, code: labels.code, durationMs: Math.round(seconds * 10_000) / 10 };
        tracked.inContext(() => this.logger[failed ? 'error' : 'info'](line, failed ? 'gRPC call failed' : 'gRPC call completed'));
      },
    };
    return tracked;
  }
}

/** One call in progress; `context` is its request context once authenticated (so its log lines name the tenant). */
interface TrackedCall {
  context?: ContextStore;
  inContext<T>(work: () => T): T;
  finish(code: status): void;
}

function cancelledCode(signal: AbortSignal): status {
  return signal.reason instanceof GrpcError ? signal.reason.code : status.CANCELLED;
}

/** `traceparent` / `tracestate` metadata, as HTTP reads them from headers. */
function traceCarrierOf(metadata: Metadata): TraceCarrier {
  const carrier: TraceCarrier = {};
  for (const key of ['traceparent', 'tracestate']) {
    const [value] = metadata.get(key);
    if (typeof value === 'string') carrier[key] = value;
  }
  return carrier;
}

function correlationIdOf(metadata: Metadata): string | undefined {
  const [value] = metadata.get('x-request-id');
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
