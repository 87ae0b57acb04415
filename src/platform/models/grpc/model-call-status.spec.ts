import { status } from '@grpc/grpc-js';
import { GrpcError } from '../../grpc/grpc-error';
import { ModelCallError, ModelStreamInterrupted } from '../model-calls';
import { fromModelCallError, fromStreamInterrupted, grpcCodeOf, rateLimitTrailers, toGrpcFailure } from './model-call-status';

const vendorError = (message: string) => ({ message, type: 'error', param: null, code: null });

describe('gateway failures as gRPC statuses', () => {
  it.each([
    [400, status.INVALID_ARGUMENT],
    [401, status.UNAUTHENTICATED],
    [403, status.PERMISSION_DENIED],
    [404, status.NOT_FOUND],
    [409, status.FAILED_PRECONDITION],
    [429, status.RESOURCE_EXHAUSTED],
    [502, status.UNAVAILABLE],
    [503, status.UNAVAILABLE],
    [504, status.DEADLINE_EXCEEDED],
    [500, status.INTERNAL],
    [422, status.INTERNAL],
  ])('maps HTTP %i to %s', (httpStatus, code) => {
    expect(grpcCodeOf(httpStatus)).toBe(code);
  });

  it('keeps only retry-after and x-ratelimit-* headers, lower-cased', () => {
    expect(rateLimitTrailers({ 'Retry-After': '3', 'X-RateLimit-Remaining-Requests': '0', 'content-type': 'application/json', authorization: 'Bearer x' })).toEqual({
      'retry-after': '3',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(rateLimitTrailers(undefined)).toEqual({});
  });

  it('turns a ModelCallError into its status, message and trailers with the request id', () => {
    const error = fromModelCallError(new ModelCallError(429, vendorError('Slow down'), { headers: { 'retry-after': '7' }, requestId: 'mreq-9' }));
    expect(error).toBeInstanceOf(GrpcError);
    expect(error).toMatchObject({ code: status.RESOURCE_EXHAUSTED, message: 'Slow down', trailers: { 'retry-after': '7', 'x-request-id': 'mreq-9' } });
    expect(error.metadata().get('retry-after')).toEqual(['7']);
  });

  it.each([
    ['Transient', status.UNAVAILABLE],
    ['RateLimited', status.UNAVAILABLE],
    ['Validation', status.INTERNAL],
    ['Poison', status.INTERNAL],
    ['Auth', status.INTERNAL],
  ] as const)('ends a stream interrupted as %s with %s, naming the run', (category, code) => {
    const error = fromStreamInterrupted(new ModelStreamInterrupted(category, 'stream_cut', 'the upstream went away', 'run-7'), 'mreq-1');
    expect(error.code).toBe(code);
    expect(error.message).toBe('The stream of run run-7 was interrupted (stream_cut): the upstream went away');
    expect(error.trailers).toEqual({ 'x-request-id': 'mreq-1' });
  });

  it('passes other errors through untouched for the host to answer INTERNAL', () => {
    const other = new Error('boom');
    expect(toGrpcFailure(other)).toBe(other);
  });
});
