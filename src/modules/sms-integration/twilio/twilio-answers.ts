import { quotable } from '../../../platform/http/quotable';
import { withRun } from '../../../platform/integrations/governed/governed-http-client';
import type { GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import type { MessageStatus } from '../../../platform/messages/message-contracts';
import { classifyStatus, IntegrationError } from '../../../platform/resilience/failure-classifier';

/** A Message resource's `status` as the platform records it; statuses still on their way out (queued, sending) are Sent for us. */
export function statusOfTwilio(status: string | undefined): Exclude<MessageStatus, 'Queued'> | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
    case 'sent':
      return 'Sent';
    case 'delivered':
    case 'read':
      return 'Delivered';
    case 'failed':
    case 'undelivered':
    case 'canceled':
      return 'Failed';
    default:
      return undefined;
  }
}

/** Twilio's error codes that name the account rather than the message (https://www.twilio.com/docs/api/errors). */
const AUTH_CODES = new Set([20003, 20005, 20008]);
const RATE_LIMIT_CODES = new Set([20429, 14107]);

/**
 * A non-2xx answer of the Messages API (`{code, message, more_info, status}`) as the IntegrationError the
 * sending loop classifies: 401 / 20003 Auth, 429 / 20429 RateLimited, 5xx Transient, other 4xx (21211
 * an invalid To, 21606 a From the account does not own) Validation.
 */
export function twilioFailure(response: GovernedResponse): IntegrationError {
  const { code, message } = errorBody(response.body);
  const said = `HTTP ${response.status}${code !== undefined ? ` (Twilio error ${code})` : ''}${message ? `: ${message}` : ''}`;
  const classification = response.failure ?? classifyStatus(response.status, response.headers);
  const errorCode = `twilio_${code ?? response.status}`;
  let error: IntegrationError;
  if (response.status === 401 || (code !== undefined && AUTH_CODES.has(code))) {
    error = IntegrationError.auth(errorCode, `Twilio refused the connection's credential (${said})`);
  } else if (response.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    error = IntegrationError.rateLimited(errorCode, `Twilio rate limit reached (${said})`, { retryAfterMs: classification.retryAfterMs });
  } else if (response.status >= 500 || classification.category === 'Transient') {
    error = IntegrationError.transient(errorCode, `Twilio failed (${said})`, { retryAfterMs: classification.retryAfterMs });
  } else {
    error = IntegrationError.validation(errorCode, `Twilio refused the message (${said})`);
  }
  return withRun(error, response.run);
}

function errorBody(body: Buffer): { code?: number; message?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown; message?: unknown };
    return {
      ...(typeof parsed.code === 'number' ? { code: parsed.code } : {}),
      ...(typeof parsed.message === 'string' ? { message: quotable(parsed.message, 300) } : {}),
    };
  } catch {
    return {};
  }
}
