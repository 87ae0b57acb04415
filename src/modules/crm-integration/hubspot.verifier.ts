import { createHash } from 'node:crypto';
import {
  anySignatureMatches,
  decodeBytes,
  hmac,
  InboundWebhook,
  isRecord,
  MalformedWebhookError,
  parseJsonBody,
  requireHeader,
  requireSecrets,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../platform/webhooks/verification/webhook-verifier';

/** HubSpot's documented limit on a request's age: a receiver must refuse older ones. */
export const HUBSPOT_MAX_AGE_MS = 5 * 60_000;

/** The escapes HubSpot decodes in the URI before signing it (developers.hubspot.com/docs/api/webhooks/validating-requests). */
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
const ESCAPE = /%(?:3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** The URI as HubSpot signs it: the listed percent-escapes decoded, everything else as sent. */
export function hubSpotSignedUri(url: string): string {
  return url.replace(ESCAPE, (escape) => DECODED[escape.toUpperCase()]);
}

/**
 * HubSpot's v3 request signature: `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(app client secret,
 * method + URI + body + timestamp)), `X-HubSpot-Request-Timestamp` in epoch milliseconds. The URI is the
 * full public URL HubSpot called (the connection's webhook URL), some escapes decoded. A request older
 * than five minutes (or as far in the future) is refused even when its signature holds.
 *
 * HubSpot sends a JSON array of up to 100 events. One event is its own delivery (`eventId`, its
 * `subscriptionType`); several are one `batch` delivery whose id is derived from their event ids.
 */
export class HubSpotVerifier implements WebhookVerifier {
  readonly name = 'hubspot';

  signatureHeaders(): readonly string[] {
    // v1/v2 signatures (no timestamp) are sent alongside v3 for older apps: never stored either.
    return ['x-hubspot-signature-v3', 'x-hubspot-signature', 'x-hubspot-signature-version'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const signature = decodeBytes(requireHeader(webhook, 'x-hubspot-signature-v3'), 'base64');
    if (!signature) throw new WebhookVerificationError('malformed_header', 'X-HubSpot-Signature-v3 is not base64');
    const timestamp = requireHeader(webhook, 'x-hubspot-request-timestamp');
    if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('malformed_header', 'X-HubSpot-Request-Timestamp is not a timestamp in milliseconds');
    const uri = hubSpotSignedUri(webhook.url);
    // HubSpot's deliveries are POSTs; the method is part of what it signs.
    const expected = secrets.map((secret) => hmac('sha256', secret, 'POST', uri, webhook.rawBody, timestamp));
    if (!anySignatureMatches(expected, [signature])) throw new WebhookVerificationError('bad_signature', 'The HubSpot signature does not match');
    const tolerance = context.toleranceMs > 0 ? Math.min(context.toleranceMs, HUBSPOT_MAX_AGE_MS) : HUBSPOT_MAX_AGE_MS;
    if (Math.abs(context.now - Number(timestamp)) > tolerance) {
      throw new WebhookVerificationError('stale_timestamp', 'The HubSpot request timestamp is older than five minutes');
    }

    const events = eventsOf(parseJsonBody(webhook.rawBody));
    const ids = events.map((event) => {
      const id = event.eventId;
      if ((typeof id !== 'number' && typeof id !== 'string') || String(id).length === 0) throw new MalformedWebhookError('Every event must have an "eventId"');
      return String(id);
    });
    const types = events.map((event) => {
      const type = event.subscriptionType;
      if (typeof type !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(type)) throw new MalformedWebhookError('Every event must have a "subscriptionType"');
      return type;
    });
    const single = events.length === 1;
    const occurredAt = single ? isoOfMillis(events[0].occurredAt) : undefined;
    return {
      deliveryId: single ? ids[0] : `batch-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32)}`,
      eventType: single ? types[0] : 'batch',
      payload: events,
      ...(occurredAt ? { occurredAt } : {}),
    };
  }
}

function eventsOf(body: unknown): Record<string, unknown>[] {
  const events = Array.isArray(body) ? body : [body];
  if (events.length === 0 || !events.every(isRecord)) throw new MalformedWebhookError('The body must be a non-empty array of HubSpot events');
  return events;
}

function isoOfMillis(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
