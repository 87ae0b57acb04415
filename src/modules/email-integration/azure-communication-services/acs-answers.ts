import { createHash } from 'node:crypto';
import { quotable } from '../../../platform/http/quotable';
import type { GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import { withRun } from '../../../platform/integrations/governed/governed-http-client';
import { classifyStatus, IntegrationError } from '../../../platform/resilience/failure-classifier';

/** The `api-version` of the Email and SMS data-plane calls the senders make. */
export const ACS_EMAIL_API_VERSION = '2023-03-31';
export const ACS_SMS_API_VERSION = '2021-03-07';

/** An ACS error body (`{"error": {"code", "message"}}`), read leniently. */
export function acsError(body: Buffer | unknown): { code?: string; message?: string } {
  let parsed: unknown = body;
  if (Buffer.isBuffer(body)) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return {};
    }
  }
  const error = typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' && code ? { code: code.slice(0, 100) } : {}),
    ...(typeof message === 'string' && message ? { message: quotable(message, 300) } : {}),
  };
}

/**
 * A non-2xx answer of the Communication Services data plane as the IntegrationError the sending loop
 * classifies: 401 / 403 Auth (a wrong key, a clock skewed past the signature's window, an identity
 * without a role), 429 RateLimited with its Retry-After, 5xx Transient, other 4xx (an unverified sender
 * domain, a malformed recipient) Validation. The code carries ACS's own error code.
 */
export function acsFailure(response: GovernedResponse, what: string): IntegrationError {
  const { code, message } = acsError(response.body);
  const said = `HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const classification = response.failure ?? classifyStatus(response.status, response.headers);
  const errorCode = `acs_${code ?? response.status}`;
  let error: IntegrationError;
  if (response.status === 401 || response.status === 403 || classification.category === 'Auth') {
    error = IntegrationError.auth(errorCode, `Azure Communication Services refused the connection's credential (${said})`);
  } else if (response.status === 429 || classification.category === 'RateLimited') {
    error = IntegrationError.rateLimited(errorCode, `Azure Communication Services rate limit reached (${said})`, { retryAfterMs: classification.retryAfterMs });
  } else if (response.status >= 500 || classification.category === 'Transient') {
    error = IntegrationError.transient(errorCode, `Azure Communication Services failed (${said})`, { retryAfterMs: classification.retryAfterMs });
  } else {
    error = IntegrationError.validation(errorCode, `Azure Communication Services refused the ${what} (${said})`);
  }
  return withRun(error, response.run);
}

/** The events of a verified Event Grid delivery (WebhookReceived's data): each one's type and data, in either schema. */
export function eventGridEvents(data: unknown): Array<{ type: string; data: Record<string, unknown> }> {
  const events = Array.isArray(data) ? data : [data];
  return events.flatMap((event) => {
    if (typeof event !== 'object' || event === null) return [];
    const { eventType, type, data: payload } = event as { eventType?: unknown; type?: unknown; data?: unknown };
    const name = typeof eventType === 'string' ? eventType : typeof type === 'string' ? type : undefined;
    if (!name || typeof payload !== 'object' || payload === null) return [];
    return [{ type: name, data: payload as Record<string, unknown> }];
  });
}

/** A GUID derived from an id (ACS's operation and repeatability ids are GUIDs; a retry must name the same one), shaped as a version 4 UUID. */
export function stableGuid(purpose: string, id: string): string {
  const hex = createHash('sha256').update(`${purpose}:${id}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
