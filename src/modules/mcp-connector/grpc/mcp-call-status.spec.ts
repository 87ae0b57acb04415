import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../../platform/grpc/grpc-error';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import { grpcCodeOfIntegrationError, retryAfterTrailer, toMcpGrpcFailure } from './mcp-call-status';

describe('MCP connector failures as gRPC statuses', () => {
  it.each([
    [IntegrationError.validation('tool_not_found', 'x'), status.NOT_FOUND],
    [IntegrationError.validation('connection_not_found', 'x'), status.NOT_FOUND],
    [IntegrationError.validation('connection_retired', 'x'), status.FAILED_PRECONDITION],
    [IntegrationError.validation('connection_not_active', 'x'), status.FAILED_PRECONDITION],
    [IntegrationError.validation('connection_inbound_only', 'x'), status.FAILED_PRECONDITION],
    [IntegrationError.validation('invalid_arguments', 'x'), status.INVALID_ARGUMENT],
    [IntegrationError.validation('tool_not_allowed', 'x'), status.INVALID_ARGUMENT],
    [IntegrationError.auth('upstream_auth_failed', 'x'), status.FAILED_PRECONDITION],
    [IntegrationError.rateLimited('rate_limited', 'x'), status.RESOURCE_EXHAUSTED],
    [IntegrationError.transient('circuit_open', 'x'), status.UNAVAILABLE],
    [IntegrationError.transient('connection_refused', 'x'), status.UNAVAILABLE],
    [IntegrationError.transient('timeout', 'x'), status.DEADLINE_EXCEEDED],
    [IntegrationError.poison('malformed_payload', 'x'), undefined],
  ])('maps %s to %s', (error, code) => {
    expect(grpcCodeOfIntegrationError(error)).toBe(code);
  });

  it('sends retry-after in whole seconds, at least 1', () => {
    expect(retryAfterTrailer(7_000)).toEqual({ 'retry-after': '7' });
    expect(retryAfterTrailer(1_200)).toEqual({ 'retry-after': '2' });
    expect(retryAfterTrailer(0)).toEqual({ 'retry-after': '1' });
    expect(retryAfterTrailer(undefined)).toEqual({});
  });

  it('keeps the message and code, with retry-after for a rate-limited call', () => {
    const error = toMcpGrpcFailure(IntegrationError.rateLimited('rate_limited', 'The tool server is rate limiting', { retryAfterMs: 3_000 }), 'conn-1') as GrpcError;
    expect(error).toBeInstanceOf(GrpcError);
    expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, message: 'The tool server is rate limiting', trailers: { 'retry-after': '3', 'x-error-code': 'rate_limited' } });
  });

  it('names the connection when its tool server refused its credential', () => {
    const error = toMcpGrpcFailure(IntegrationError.auth('upstream_auth_failed', 'HTTP 401'), 'conn-9') as GrpcError;
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.message).toBe('The MCP server of connection conn-9 refused its credential (upstream_auth_failed): HTTP 401');
  });

  it('passes Poison, other errors and GrpcErrors through for the host', () => {
    const poison = IntegrationError.poison('malformed_payload', 'x');
    const other = new Error('boom');
    const grpc = new GrpcError(status.INVALID_ARGUMENT, 'bad');
    expect(toMcpGrpcFailure(poison, 'c')).toBe(poison);
    expect(toMcpGrpcFailure(other, 'c')).toBe(other);
    expect(toMcpGrpcFailure(grpc, 'c')).toBe(grpc);
  });
});
