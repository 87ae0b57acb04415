import {
  anySignatureMatches,
  hmac,
  InboundWebhook,
  isFormEncoded,
  MalformedWebhookError,
  parseFormBody,
  parseJsonBody,
  prefixedSignature,
  readHeader,
  requireHeader,
  requireSecrets,
  stringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../platform/webhooks/verification/webhook-verifier';

const SIGNATURE_PREFIX = 'sha256=';

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`; GitHub sends no timestamp. */
export class GithubVerifier implements WebhookVerifier {
  readonly name = 'github';

  signatureHeaders(): readonly string[] {
    return ['x-hub-signature', 'x-hub-signature-256'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const header = requireHeader(webhook, 'x-hub-signature-256');
    const signature = prefixedSignature(header, SIGNATURE_PREFIX, 'hex', 'X-Hub-Signature-256 is not sha256=<hex>');
    const expected = secrets.map((secret) => hmac('sha256', secret, webhook.rawBody));
    if (!anySignatureMatches(expected, [signature])) throw new WebhookVerificationError('bad_signature', 'The GitHub signature does not match');

    const deliveryId = readHeader(webhook, 'x-github-delivery');
    const event = readHeader(webhook, 'x-github-event');
    if (!deliveryId || !event) throw new MalformedWebhookError('X-GitHub-Delivery and X-GitHub-Event are required');
    const payload = parseGithubBody(webhook);
    const action = stringField(payload, 'action');
    return { deliveryId, eventType: action ? `${event}.${action}` : event, payload };
  }
}

/** A webhook configured with content type `application/x-www-form-urlencoded` carries the JSON in a `payload` field. */
function parseGithubBody(webhook: InboundWebhook): unknown {
  if (!isFormEncoded(webhook.contentType)) return parseJsonBody(webhook.rawBody);
  const json = parseFormBody(webhook.rawBody).payload;
  if (typeof json !== 'string') throw new MalformedWebhookError('The form body has no single "payload" field');
  return parseJsonBody(json);
}
