import { withRun } from '../../../platform/integrations/governed/governed-http-client';
import type { GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import { classifyStatus, IntegrationError } from '../../../platform/resilience/failure-classifier';

type Reading = 'Auth' | 'Validation' | 'Transient';

/** 019's documented request status codes (https://docs.019sms.co.il/sms/errors-and-status.html); 0 is success. */
const STATUS_CODES: Readonly<Record<number, { reading: Reading; meaning: string }>> = {
  1: { reading: 'Validation', meaning: 'the request could not be parsed' },
  3: { reading: 'Auth', meaning: 'username or password incorrect, API token invalid' },
  4: { reading: 'Validation', meaning: 'not enough credit' },
  5: { reading: 'Validation', meaning: 'no permission to send SMS at this time' },
  6: { reading: 'Transient', meaning: 'process failure' },
  7: { reading: 'Validation', meaning: 'this format cannot be sent (a group must go as bulk)' },
  8: { reading: 'Validation', meaning: 'all numbers are on a blocked list' },
  9: { reading: 'Validation', meaning: 'a destination is too short or too long' },
  10: { reading: 'Auth', meaning: 'the API token expired' },
  11: { reading: 'Auth', meaning: 'the API token does not match the username' },
  12: { reading: 'Validation', meaning: 'not enough money' },
};

export interface Sms019Acceptance {
  shipmentId: string | null;
}

/**
 * 019's answer to a send: HTTP 200 with `{status, message, shipment_id}` where `status` 0 means the
 * SMS was taken; anything else is an IntegrationError classified by 019's code (unknown codes and
 * server faults Transient, so a route moves on).
 */
export function readSms019Answer(response: GovernedResponse): Sms019Acceptance {
  if (response.status < 200 || response.status >= 300) {
    const classification = response.failure ?? classifyStatus(response.status, response.headers);
    const said = `019 answered HTTP ${response.status}`;
    const error =
      classification.category === 'Auth'
        ? IntegrationError.auth('sms019_auth_refused', `${said}: the connection's token was refused`)
        : classification.category === 'RateLimited'
          ? IntegrationError.rateLimited('sms019_rate_limited', said, { retryAfterMs: classification.retryAfterMs })
          : classification.category === 'Validation'
            ? IntegrationError.validation('sms019_refused', said)
            : IntegrationError.transient('sms019_failed', said, { retryAfterMs: classification.retryAfterMs });
    throw withRun(error, response.run);
  }
  const body = parseJson(response.body);
  const status = Number(body.status);
  if (status === 0) {
    const shipment = body.shipment_id;
    return { shipmentId: typeof shipment === 'string' || typeof shipment === 'number' ? String(shipment) : null };
  }
  const known = Number.isInteger(status) ? STATUS_CODES[status] : undefined;
  const code = `sms019_status_${Number.isInteger(status) ? status : 'unreadable'}`;
  const message = `019 did not send the SMS: status ${Number.isInteger(status) ? status : '(unreadable)'}${known ? ` (${known.meaning})` : ''}`;
  const reading = known?.reading ?? 'Transient';
  const error =
    reading === 'Auth' ? IntegrationError.auth(code, message) : reading === 'Validation' ? IntegrationError.validation(code, message) : IntegrationError.transient(code, message);
  throw withRun(error, response.run);
}

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
