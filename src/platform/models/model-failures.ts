import { integrationErrorStatus } from '../http/integration-error-status';
import { classifyError, FailureClassification, IntegrationError } from '../resilience/failure-classifier';
import type { HeaderSource } from '../resilience/retry-policy';
import type { FailureCategory } from '../runs/entities/integration-failure.entity';
import { ModelCallError } from './model-calls';
import type { ModelProtocol, VendorModelError } from './model-protocol';

/**
 * How the gateway words a failure to its callers, in the chat-completions API's error shape. The
 * vendor's words are passed on where they are about the caller's request (a bad parameter, an unknown
 * model, a rate limit); a refused credential is told in ours, since vendors echo parts of the key.
 */

/** One target's failure, as the fallback loop weighs it. */
export class TargetFailure extends Error {
  constructor(
    readonly category: FailureCategory,
    readonly code: string,
    readonly callError: ModelCallError,
  ) {
    super(callError.message);
    this.name = 'TargetFailure';
  }
}

/** The vendor headers a caller may act on: when to come back, and what is left. */
export function rateLimitHeadersOf(headers: HeaderSource): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'retry-after' || lower === 'retry-after-ms' || lower.startsWith('x-ratelimit-')) passed[lower] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return passed;
}

/** A vendor's failed answer to one target. */
export function answerFailure(
  answer: { status: number; headers: HeaderSource; body: Buffer },
  failure: FailureClassification,
  protocol: ModelProtocol,
  connectionId: string,
): TargetFailure {
  const vendorError = protocol.errorOf(answer);
  const headers = rateLimitHeadersOf(answer.headers);
  const details = { category: failure.category, headers, retryAfterMs: failure.retryAfterMs };
  let callError: ModelCallError;
  switch (failure.category) {
    case 'Auth':
      callError = new ModelCallError(
        502,
        error(
          `The vendor refused the credential of connection ${connectionId} (HTTP ${answer.status}); rotate or fix the connection's credential`,
          'upstream_error',
          'upstream_auth_failed',
        ),
        details,
      );
      break;
    case 'RateLimited':
      callError = new ModelCallError(429, vendorError ?? error(`Connection ${connectionId} is rate limited by the vendor`, 'rate_limit_error', 'rate_limit_exceeded'), details);
      break;
    case 'Validation':
    case 'Poison':
      callError = new ModelCallError(
        isClientStatus(answer.status) ? answer.status : 400,
        vendorError ?? error(`The vendor refused the request (HTTP ${answer.status})`, 'invalid_request_error', null),
        details,
      );
      break;
    default:
      callError = new ModelCallError(
        502,
        error(`The vendor of connection ${connectionId} failed (HTTP ${answer.status})${vendorError ? `: ${vendorError.message}` : ''}`, 'upstream_error', 'upstream_unavailable'),
        details,
      );
  }
  return new TargetFailure(failure.category, failure.code, callError);
}

/** A failure with no vendor answer: the platform refused (budget, breaker, connection state) or the call could not be made. */
export function errorFailure(cause: unknown): TargetFailure {
  if (cause instanceof TargetFailure) return cause;
  const classification = classifyError(cause);
  const retryAfterMs = cause instanceof IntegrationError ? cause.retryAfterMs : undefined;
  const details = {
    category: classification.category,
    retryAfterMs,
    headers: retryAfterMs === undefined ? undefined : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  };
  if (!(cause instanceof IntegrationError)) {
    return new TargetFailure(
      classification.category,
      classification.code,
      new ModelCallError(502, error(`The model call failed: ${classification.code}`, 'upstream_error', classification.code), details),
    );
  }
  const status = integrationErrorStatus(cause);
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'upstream_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return new TargetFailure(cause.category, cause.code, new ModelCallError(status, error(cause.message, type, cause.code), details));
}

export function error(message: string, type: string, code: string | null, param: string | null = null): VendorModelError {
  return { message, type, param, code };
}

function isClientStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429;
}
