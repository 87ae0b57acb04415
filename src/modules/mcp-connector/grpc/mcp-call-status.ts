import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../../platform/grpc/grpc-error';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';

/**
 * How the McpConnector service's IntegrationErrors end a gRPC call. UNAUTHENTICATED and
 * PERMISSION_DENIED are the host's, about the caller's own token: a tool server that refuses the
 * connection's credential is the connection's state, FAILED_PRECONDITION naming the connection.
 */

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['connection_not_found', 'tool_not_found', 'vendor_not_found']);

/** Validation codes about the connection's state or configuration, not the request. */
const PRECONDITION_CODES: ReadonlySet<string> = new Set([
  'connection_retired',
  'connection_not_active',
  'connection_inbound_only',
  'provider_not_found',
  'auth_mode_unknown',
  'credential_missing',
  'credential_disabled',
  'token_url_missing',
  'base_url_missing',
  'base_url_invalid',
  'egress_refused',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['timeout', 'connect_timeout', 'headers_timeout', 'body_timeout', 'request_timeout', 'gateway_timeout']);

/** The status of an IntegrationError; undefined for a failure that is the server's own (Poison): the host answers it INTERNAL. */
export function grpcCodeOfIntegrationError(error: IntegrationError): status | undefined {
  switch (error.category) {
    case 'Validation':
      if (NOT_FOUND_CODES.has(error.code)) return status.NOT_FOUND;
      if (PRECONDITION_CODES.has(error.code)) return status.FAILED_PRECONDITION;
      return status.INVALID_ARGUMENT;
    case 'Auth':
      return status.FAILED_PRECONDITION;
    case 'RateLimited':
      return status.RESOURCE_EXHAUSTED;
    case 'Transient':
      return TIMEOUT_CODES.has(error.code) ? status.DEADLINE_EXCEEDED : status.UNAVAILABLE;
    default:
      return undefined;
  }
}

/** `retry-after` in whole seconds (at least 1), as HTTP sends it. */
export function retryAfterTrailer(retryAfterMs: number | undefined): Record<string, string> {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) return {};
  return { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
}

/**
 * The connector's failures as statuses, the message being the IntegrationError's own (ours, never a
 * vendor's echo) and its code in the `x-error-code` trailer. Anything else passes through untouched:
 * the host logs it and answers INTERNAL `Internal error`.
 */
export function toMcpGrpcFailure(error: unknown, connectionId: string): unknown {
  if (error instanceof GrpcError || !(error instanceof IntegrationError)) return error;
  const code = grpcCodeOfIntegrationError(error);
  if (code === undefined) return error;
  const trailers = { 'x-error-code': error.code, ...retryAfterTrailer(error.retryAfterMs) };
  const message = error.category === 'Auth' ? `The MCP server of connection ${connectionId} refused its credential (${error.code}): ${error.message}` : error.message;
  return new GrpcError(code, message, trailers);
}
