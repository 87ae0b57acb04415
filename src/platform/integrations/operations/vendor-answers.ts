import { STATUS_CODES } from 'node:http';
import { quotable } from '../../http/quotable';
import { classifyStatus, FailureClassification, IntegrationError } from '../../resilience/failure-classifier';
import type { VendorAnswer, VendorHttpProfile } from '../../vendors/vendor-descriptor';
import type { GovernedResponse } from '../governed/governed-http-client';
import { withRun } from '../governed/governed-http-client';

/** A vendor answer as operations see it: a JSON body parsed, text kept as text, an empty body null. */
export function toVendorAnswer(response: GovernedResponse): VendorAnswer {
  return { status: response.status, headers: response.headers, body: decodeBody(response), runId: response.run.id };
}

function decodeBody(response: GovernedResponse): unknown {
  if (response.body.length === 0) return null;
  const text = response.body.toString('utf8');
  const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      // labelled JSON but is not: the text is all there is
    }
  }
  return text;
}

/** The statuses whose meaning the caller can act on directly, kept as they are. */
const PASSED_THROUGH: Readonly<Record<number, string>> = {
  400: 'vendor_bad_request',
  // A payment the vendor declined (a card refused): the caller's to handle.
  402: 'vendor_payment_required',
  404: 'vendor_not_found',
  409: 'vendor_conflict',
  // A stale precondition (an If-Match, or a JSON Patch `test` on a revision) is the caller's conflict to resolve.
  412: 'vendor_conflict',
  422: 'vendor_unprocessable',
};

/**
 * The error for a vendor's non-2xx answer to an operation's call: the caller's mistakes the vendor
 * caught keep their status (404, 409, 422, 400, with the vendor's own message summarised), a refused
 * credential is a 502 naming auth, a rate limit a 429 with its wait, anything else a 502. The message
 * quotes only the vendor's short `message` text, never headers or the request.
 */
export function vendorFailure(response: GovernedResponse, answer: VendorAnswer, vendor: { displayName: string; http: VendorHttpProfile }): IntegrationError {
  const classification = response.failure ?? vendor.http.classify?.(response) ?? classifyStatus(response.status, response.headers);
  const said = vendor.http.failureMessage ? vendor.http.failureMessage({ status: response.status, body: answer.body }) : vendorMessage(answer.body);
  return withRun(failureFor(response.status, classification, vendor.displayName, `HTTP ${response.status}${said ? `: ${said}` : ''}`), response.run);
}

function failureFor(status: number, classification: FailureClassification, vendorName: string, said: string): IntegrationError {
  const passed = PASSED_THROUGH[status];
  if (passed && classification.category === 'Validation') return IntegrationError.validation(passed, `${vendorName} answered ${said}`);
  switch (classification.category) {
    case 'Auth':
      return IntegrationError.auth('vendor_auth_refused', `${vendorName} refused the connection's credential (auth; ${said})`);
    case 'RateLimited':
      return IntegrationError.rateLimited('vendor_rate_limited', `${vendorName} rate limit reached (${said})`, { retryAfterMs: classification.retryAfterMs });
    case 'Validation':
      // Neither the caller's mistake nor a passing fault: the operation asked something the vendor does not do.
      return IntegrationError.poison('vendor_refused', `${vendorName} refused the call (${said})`);
    default:
      return IntegrationError.transient('vendor_failed', `${vendorName} failed (${said || STATUS_CODES[status] || 'error'})`, { retryAfterMs: classification.retryAfterMs });
  }
}

/** The vendor's own one-line reason, when its error body has one (`message`, `error.message`, `error`); quoted safely and short. */
function vendorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const candidate = body as { message?: unknown; error?: unknown; errors?: unknown };
  const nested = typeof candidate.error === 'object' && candidate.error !== null ? (candidate.error as { message?: unknown }).message : undefined;
  const message = [candidate.message, nested, candidate.error].find((value): value is string => typeof value === 'string' && value.length > 0);
  if (!message) return undefined;
  const fields = Array.isArray(candidate.errors)
    ? candidate.errors
        .map((item) => (typeof item === 'object' && item !== null ? (item as { field?: unknown; code?: unknown }) : {}))
        .filter((item) => typeof item.field === 'string' && typeof item.code === 'string')
        .slice(0, 5)
        .map((item) => `${String(item.field)} ${String(item.code)}`)
    : [];
  return quotable(fields.length > 0 ? `${message} (${fields.join(', ')})` : message, 300);
}
