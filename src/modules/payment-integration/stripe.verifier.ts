import {
  anySignatureMatches,
  assertFresh,
  decodeBytes,
  epochSecondsToIso,
  hmac,
  InboundWebhook,
  isRecord,
  parseJsonBody,
  parseTimestampSeconds,
  requireHeader,
  requireSecrets,
  requireStringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../platform/webhooks/verification/webhook-verifier';

/** `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>...]` over `"<t>.<body>"`; v0 (test-mode legacy) is ignored. */
export class StripeVerifier implements WebhookVerifier {
  readonly name = 'stripe';

  signatureHeaders(): readonly string[] {
    return ['stripe-signature'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const { timestamp, signatures } = parseStripeSignature(requireHeader(webhook, 'stripe-signature'));
    const timestampSeconds = parseTimestampSeconds(timestamp, 'Stripe-Signature t');
    const expected = secrets.map((secret) => hmac('sha256', secret, `${timestamp}.`, webhook.rawBody));
    if (!anySignatureMatches(expected, signatures)) throw new WebhookVerificationError('bad_signature', 'The Stripe signature does not match');
    assertFresh(timestampSeconds, context);

    const event = parseJsonBody(webhook.rawBody);
    const deliveryId = requireStringField(event, 'id');
    const type = requireStringField(event, 'type');
    return { deliveryId, eventType: type, payload: event, occurredAt: isRecord(event) ? epochSecondsToIso(event.created) : undefined };
  }
}

function parseStripeSignature(header: string): { timestamp: string; signatures: Buffer[] } {
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const element of header.split(',')) {
    const separator = element.indexOf('=');
    if (separator < 0) continue;
    const key = element.slice(0, separator).trim();
    const value = element.slice(separator + 1).trim();
    if (key === 't') timestamp = value;
    if (key === 'v1') {
      const signature = decodeBytes(value, 'hex');
      if (signature) signatures.push(signature);
    }
  }
  if (!timestamp || signatures.length === 0) throw new WebhookVerificationError('malformed_header', 'Stripe-Signature has no timestamp or no v1 signature');
  return { timestamp, signatures };
}
