import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../grpc/grpc-error';
import { ModelCallError, ModelStreamInterrupted } from '../model-calls';

/** How the gateway's failures end a gRPC call. */

const CODE_BY_HTTP_STATUS: Readonly<Record<number, status>> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.FAILED_PRECONDITION,
  429: status.RESOURCE_EXHAUSTED,
  502: status.UNAVAILABLE,
  503: status.UNAVAILABLE,
  504: status.DEADLINE_EXCEEDED,
};

export function grpcCodeOf(httpStatus: number): status {
  return CODE_BY_HTTP_STATUS[httpStatus] ?? status.INTERNAL;
}

/** The vendor headers a caller may act on: when to retry, and its remaining budgets. */
export function rateLimitTrailers(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => name === 'retry-after' || name.startsWith('x-ratelimit-')),
  );
}

export function fromModelCallError(error: ModelCallError): GrpcError {
  const trailers = rateLimitTrailers(error.details.headers);
  if (error.details.requestId) trailers['x-request-id'] = error.details.requestId;
  return new GrpcError(grpcCodeOf(error.status), error.message, trailers);
}

/** A cut stream never ends OK: UNAVAILABLE when a retry may succeed, INTERNAL otherwise. */
export function fromStreamInterrupted(error: ModelStreamInterrupted, requestId?: string): GrpcError {
  const retryable = error.category === 'Transient' || error.category === 'RateLimited';
  const message = `The stream of run ${error.runId} was interrupted (${error.code}): ${error.message}`;
  return new GrpcError(retryable ? status.UNAVAILABLE : status.INTERNAL, message, requestId ? { 'x-request-id': requestId } : {});
}

/** The gateway's own errors as statuses; anything else passes through (the host answers it INTERNAL). */
export function toGrpcFailure(error: unknown, requestId?: string): unknown {
  if (error instanceof ModelCallError) return fromModelCallError(error);
  if (error instanceof ModelStreamInterrupted) return fromStreamInterrupted(error, requestId);
  return error;
}
