import {
  anySignatureMatches,
  assertFresh,
  decodeBytes,
  hmac,
  InboundWebhook,
  isRecord,
  isoDate,
  MalformedWebhookError,
  parseJsonBody,
  readHeader,
  requireHeader,
  requireSecrets,
  sha256,
  stringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../platform/webhooks/verification/webhook-verifier';

export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
const INVOCATION_HEADER = 'x-zendesk-webhook-invocation-id';
const WEBHOOK_ID_HEADER = 'x-zendesk-webhook-id';

/** The event type a trigger or automation webhook (arbitrary JSON, no `type`) is given. */
export const TRIGGER_EVENT_TYPE = 'webhook';
const EVENT_TYPE_PREFIX = 'zen:event-type:';
// Zendesk's timestamps are ISO 8601 in UTC (2021-07-25T10:00:00Z), with or without fractional seconds.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Zendesk webhooks (developer.zendesk.com/documentation/webhooks/verifying):
 * `X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(secret, timestamp + body))` with the timestamp in
 * `X-Zendesk-Webhook-Signature-Timestamp`, checked for freshness. The signing secret is used as the text it
 * is (Zendesk shows it base64-looking, but signs with the string). Event webhooks carry a `type`
 * (`zen:event-type:ticket.created`) and an `id`, the delivery id; a trigger's webhook is whatever JSON the
 * trigger builds, typed `webhook`, its delivery id Zendesk's invocation id or else a digest of the body.
 */
export class ZendeskVerifier implements WebhookVerifier {
  readonly name = 'zendesk';

  signatureHeaders(): readonly string[] {
    return [SIGNATURE_HEADER, TIMESTAMP_HEADER];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const signature = decodeBytes(requireHeader(webhook, SIGNATURE_HEADER), 'base64');
    if (!signature) throw new WebhookVerificationError('malformed_header', 'X-Zendesk-Webhook-Signature is not base64');
    const timestamp = requireHeader(webhook, TIMESTAMP_HEADER);
    const signedAt = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(signedAt)) throw new WebhookVerificationError('malformed_header', 'X-Zendesk-Webhook-Signature-Timestamp is not an ISO 8601 timestamp');
    const expected = secrets.map((secret) => hmac('sha256', secret, timestamp, webhook.rawBody));
    if (!anySignatureMatches(expected, [signature])) throw new WebhookVerificationError('bad_signature', 'The Zendesk signature does not match');
    assertFresh(signedAt / 1000, context);

    const payload = webhook.rawBody.length === 0 ? {} : parseJsonBody(webhook.rawBody);
    const type = stringField(payload, 'type');
    if (type?.startsWith(EVENT_TYPE_PREFIX)) {
      const eventType = type.slice(EVENT_TYPE_PREFIX.length);
      if (!/^[A-Za-z0-9_.-]{1,200}$/.test(eventType)) throw new MalformedWebhookError('The event type is not one Zendesk sends');
      const id = stringField(payload, 'id');
      if (!id) throw new MalformedWebhookError('The Zendesk event has no "id"');
      return { deliveryId: id, eventType, payload, occurredAt: isRecord(payload) ? isoDate(payload.time) : undefined };
    }
    const deliveryId =
      readHeader(webhook, INVOCATION_HEADER) ??
      `sha256:${sha256(Buffer.concat([Buffer.from(`${readHeader(webhook, WEBHOOK_ID_HEADER) ?? ''}\n`), webhook.rawBody])).toString('hex')}`;
    return { deliveryId, eventType: TRIGGER_EVENT_TYPE, payload };
  }
}
