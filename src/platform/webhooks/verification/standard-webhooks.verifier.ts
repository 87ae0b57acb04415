import {
  anySignatureMatches,
  assertFresh,
  decodeBytes,
  hmac,
  InboundWebhook,
  isoDate,
  isRecord,
  parseJsonBody,
  parseTimestampSeconds,
  readHeader,
  requireHeader,
  requireSecrets,
  requireStringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from './webhook-verifier';

const SECRET_PREFIX = 'whsec_';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<b64> [v1,<b64> ...]` over `"<id>.<timestamp>.<body>"`; Svix sends the same as `svix-*`.
 */
export class StandardWebhooksVerifier implements WebhookVerifier {
  readonly name = 'standard-webhooks';

  signatureHeaders(): readonly string[] {
    return ['webhook-signature', 'svix-signature'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const keys = signingKeys(context);
    const prefix = readHeader(webhook, 'webhook-signature') === undefined && readHeader(webhook, 'svix-signature') !== undefined ? 'svix' : 'webhook';
    const id = requireHeader(webhook, `${prefix}-id`);
    const timestamp = requireHeader(webhook, `${prefix}-timestamp`);
    const signatures = parseSignatures(requireHeader(webhook, `${prefix}-signature`));
    const timestampSeconds = parseTimestampSeconds(timestamp, `${prefix}-timestamp`);
    const expected = keys.map((key) => hmac('sha256', key, `${id}.${timestamp}.`, webhook.rawBody));
    if (!anySignatureMatches(expected, signatures)) throw new WebhookVerificationError('bad_signature', 'The webhook signature does not match');
    assertFresh(timestampSeconds, context);

    const payload = parseJsonBody(webhook.rawBody);
    const eventType = requireStringField(payload, 'type');
    return { deliveryId: id, eventType, payload, occurredAt: isRecord(payload) ? isoDate(payload.timestamp) : undefined };
  }
}

/** A secret is `whsec_` + base64 of the key bytes; one without the prefix is taken as the base64 alone. */
function signingKeys(context: VerificationContext): Buffer[] {
  const keys = requireSecrets(context)
    .map((secret) => decodeBytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'))
    .filter((key): key is Buffer => key !== undefined && key.length > 0);
  if (keys.length === 0) throw new WebhookVerificationError('no_secret', 'No signing secret is valid base64');
  return keys;
}

/** Space-separated `<version>,<signature>` pairs; versions other than v1 (e.g. v1a, asymmetric) are skipped. */
function parseSignatures(header: string): Buffer[] {
  const signatures = header
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => decodeBytes(entry.slice(3), 'base64'))
    .filter((signature): signature is Buffer => signature !== undefined);
  if (signatures.length === 0) throw new WebhookVerificationError('malformed_header', 'The signature header has no v1 signature');
  return signatures;
}
