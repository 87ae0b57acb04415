import {
  anySignatureMatches,
  InboundWebhook,
  isoDate,
  isRecord,
  parseJsonBody,
  requireHeader,
  requireSecrets,
  requireStringField,
  sha256,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../platform/webhooks/verification/webhook-verifier';

const BASIC = /^basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

/**
 * Azure DevOps service hooks sign nothing: the subscription carries HTTP Basic credentials
 * (https://learn.microsoft.com/azure/devops/service-hooks/services/webhooks). The secret is `user:password`.
 */
export class AzureDevOpsVerifier implements WebhookVerifier {
  readonly name = 'azure-devops';

  signatureHeaders(): readonly string[] {
    return ['authorization'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const match = BASIC.exec(requireHeader(webhook, 'authorization'));
    if (!match) throw new WebhookVerificationError('malformed_header', 'Authorization is not HTTP Basic');
    // Hashing both sides gives equal-length buffers, so neither the comparison nor its length reveals the password's.
    const received = sha256(Buffer.from(match[1], 'base64'));
    const expected = secrets.map((secret) => sha256(secret));
    if (!anySignatureMatches(expected, [received])) throw new WebhookVerificationError('bad_signature', 'The Basic credentials do not match');

    const payload = parseJsonBody(webhook.rawBody);
    const deliveryId = requireStringField(payload, 'id');
    const eventType = requireStringField(payload, 'eventType');
    return { deliveryId, eventType, payload, occurredAt: isRecord(payload) ? isoDate(payload.createdDate) : undefined };
  }
}
