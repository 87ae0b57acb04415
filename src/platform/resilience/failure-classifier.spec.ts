import { createServer } from 'node:net';
import type { FailureCategory } from '../runs/entities/integration-failure.entity';
import { classifyError, classifyFailure, classifyStatus, HttpStatusError, IntegrationError } from './failure-classifier';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyStatus', () => {
  it.each<[number, FailureCategory, string, boolean]>([
    [408, 'Transient', 'request_timeout', true],
    [425, 'Transient', 'too_early', true],
    [429, 'RateLimited', 'rate_limited', true],
    [500, 'Transient', 'server_error', true],
    [502, 'Transient', 'bad_gateway', true],
    [503, 'Transient', 'service_unavailable', true],
    [504, 'Transient', 'gateway_timeout', true],
    [507, 'Transient', 'server_error', true],
    [501, 'Validation', 'not_implemented', false],
    [505, 'Validation', 'http_version_not_supported', false],
    [401, 'Auth', 'unauthorized', false],
    [403, 'Auth', 'forbidden', false],
    [400, 'Validation', 'bad_request', false],
    [404, 'Validation', 'not_found', false],
    [405, 'Validation', 'method_not_allowed', false],
    [409, 'Validation', 'conflict', false],
    [410, 'Validation', 'gone', false],
    [413, 'Validation', 'payload_too_large', false],
    [415, 'Validation', 'unsupported_media_type', false],
    [422, 'Validation', 'unprocessable_entity', false],
    [418, 'Validation', 'client_error', false],
    [301, 'Validation', 'redirect_refused', false],
    [302, 'Validation', 'redirect_refused', false],
    [307, 'Validation', 'redirect_refused', false],
    [308, 'Validation', 'redirect_refused', false],
    [200, 'Validation', 'unexpected_status', false],
  ])('%i → %s (%s)', (status, category, code, retryable) => {
    expect(classifyStatus(status)).toEqual({ category, code, retryable, status });
  });

  it('carries Retry-After on 429 and 503, uncapped (the policy caps it)', () => {
    expect(classifyStatus(429, { 'Retry-After': '7200' }).retryAfterMs).toBe(7_200_000);
    expect(classifyStatus(503, new Headers({ 'retry-after': '30' }))).toEqual({
      category: 'Transient',
      code: 'service_unavailable',
      retryable: true,
      status: 503,
      retryAfterMs: 30_000,
    });
  });

  it('ignores Retry-After where it means nothing for a retry (500, 404)', () => {
    expect(classifyStatus(500, { 'retry-after': '30' }).retryAfterMs).toBeUndefined();
    expect(classifyStatus(404, { 'retry-after': '30' }).retryAfterMs).toBeUndefined();
  });

  it('reads a 403 with rate-limit evidence as RateLimited (primary and secondary limits answered as 403)', () => {
    const now = Date.UTC(2030, 0, 1);
    const primary = classifyStatus(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) }, now);
    expect(primary).toMatchObject({ category: 'RateLimited', code: 'rate_limited', retryable: true, retryAfterMs: 60_000 });
    expect(classifyStatus(403, { 'retry-after': '10' }, now)).toMatchObject({ category: 'RateLimited', retryAfterMs: 10_000 });
    expect(classifyStatus(403, { 'x-ratelimit-remaining': '4999' })).toMatchObject({ category: 'Auth', code: 'forbidden' });
  });
});

describe('classifyError', () => {
  it.each<[string, FailureCategory, string]>([
    ['ECONNRESET', 'Transient', 'connection_reset'],
    ['ECONNREFUSED', 'Transient', 'connection_refused'],
    ['ETIMEDOUT', 'Transient', 'timeout'],
    ['EAI_AGAIN', 'Transient', 'dns_unavailable'],
    ['ENOTFOUND', 'Validation', 'dns_not_found'],
    ['EHOSTUNREACH', 'Transient', 'host_unreachable'],
    ['UND_ERR_CONNECT_TIMEOUT', 'Transient', 'connect_timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'Transient', 'headers_timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'Transient', 'body_timeout'],
    ['UND_ERR_SOCKET', 'Transient', 'socket_error'],
    ['EOPENBREAKER', 'Transient', 'circuit_open'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'Validation', 'tls_error'],
    ['CERT_HAS_EXPIRED', 'Validation', 'tls_error'],
  ])('code %s → %s (%s)', (code, category, expected) => {
    expect(classifyError(withCode(code))).toMatchObject({ category, code: expected });
  });

  it('unwraps fetch failures to the transport cause rather than calling the TypeError a bug', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: withCode('UND_ERR_CONNECT_TIMEOUT') });
    expect(classifyError(fetchFailed)).toMatchObject({ category: 'Transient', code: 'connect_timeout', retryable: true });
    expect(classifyError(new TypeError('fetch failed', { cause: new Error('bad port') }))).toMatchObject({ category: 'Transient', code: 'network_error' });
  });

  it('finds a code inside an AggregateError (happy-eyeballs connects)', () => {
    const error = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed');
    expect(classifyError(new TypeError('fetch failed', { cause: error }))).toMatchObject({ code: 'connection_refused' });
  });

  it('classifies abort and timeout signals as Transient', () => {
    expect(classifyError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toMatchObject({
      category: 'Transient',
      code: 'timeout',
    });
    expect(classifyError(new DOMException('This operation was aborted', 'AbortError'))).toMatchObject({ category: 'Transient', code: 'aborted' });
  });

  it('classifies our own parsing failures and handler bugs as Poison', () => {
    let syntaxError: unknown;
    try {
      JSON.parse('{not json');
    } catch (error) {
      syntaxError = error;
    }
    expect(classifyError(syntaxError)).toEqual({ category: 'Poison', code: 'malformed_payload', retryable: false });
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toMatchObject({ category: 'Poison', code: 'handler_error' });
    expect(classifyError(new RangeError('Invalid time value'))).toMatchObject({ category: 'Poison', code: 'handler_error' });
  });

  it('honours a category forced by the thrower, cause chain included', () => {
    const forced = IntegrationError.poison('undecodable_payload', 'the event body is not valid CloudEvents JSON');
    expect(classifyError(forced)).toEqual({ category: 'Poison', code: 'undecodable_payload', retryable: false });
    expect(classifyError(new Error('wrapped', { cause: IntegrationError.rateLimited('quota', 'quota spent', { retryAfterMs: 5_000 }) }))).toMatchObject({
      category: 'RateLimited',
      retryAfterMs: 5_000,
      retryable: true,
    });
    expect(forced).toBeInstanceOf(Error);
    expect(forced.name).toBe('IntegrationError');
  });

  it('reads statuses carried by vendor SDK errors', () => {
    const sdkError = Object.assign(new Error('API rate limit exceeded for installation'), {
      status: 403,
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0' } },
    });
    expect(classifyError(sdkError)).toMatchObject({ category: 'RateLimited', status: 403 });
    expect(classifyError(Object.assign(new Error('No such customer'), { statusCode: 404 }))).toMatchObject({ category: 'Validation', code: 'not_found' });
    expect(classifyError(Object.assign(new Error('Request failed'), { code: 'ERR_BAD_RESPONSE', response: { status: 502 } }))).toMatchObject({
      category: 'Transient',
      code: 'bad_gateway',
    });
  });

  it('retries what it cannot explain', () => {
    expect(classifyError(new Error('something odd'))).toEqual({ category: 'Transient', code: 'unclassified', retryable: true });
    expect(classifyError('a thrown string')).toMatchObject({ category: 'Transient', code: 'unclassified' });
    expect(classifyError(undefined)).toMatchObject({ category: 'Transient', code: 'unclassified' });
  });

  it('keeps vendor text out of the classification', () => {
    const secretEcho = Object.assign(new Error('invalid api_key=sk_live_abcdefghijklmnop'), { status: 401 });
    expect(JSON.stringify(classifyError(secretEcho))).not.toMatch(/sk_live|api_key/);
  });

  it('classifies a real refused connection made with fetch', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(classifyError(error)).toMatchObject({ category: 'Transient', code: 'connection_refused', retryable: true });
  });
});

describe('classifyFailure and HttpStatusError', () => {
  it('accepts either a status or an error', () => {
    expect(classifyFailure({ status: 410 })).toMatchObject({ category: 'Validation', code: 'gone' });
    expect(classifyFailure({ error: withCode('ECONNRESET') })).toMatchObject({ category: 'Transient', code: 'connection_reset' });
  });

  it('turns a response into a throwable error that classifies back to the same thing', () => {
    const error = HttpStatusError.fromResponse({ status: 429, headers: new Headers({ 'retry-after': '3' }) });
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.message).toBe('HTTP 429');
    expect(classifyError(error)).toEqual({ category: 'RateLimited', code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 3_000 });
  });
});
