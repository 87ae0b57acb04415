import {
  anySignatureMatches,
  assertFresh,
  epochSecondsToIso,
  hmac,
  InboundWebhook,
  isFormEncoded,
  isRecord,
  MalformedWebhookError,
  parseFormBody,
  parseJsonBody,
  parseTimestampSeconds,
  prefixedSignature,
  requireHeader,
  requireSecrets,
  sha256,
  stringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../../platform/webhooks/verification/webhook-verifier';

const SIGNATURE_PREFIX = 'v0=';

/**
 * `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<ts>:<body>")>` with `X-Slack-Request-Timestamp`
 * (https://api.slack.com/authentication/verifying-requests-from-slack). The body is JSON (Events API) or a form:
 * interactivity sends its JSON in a `payload` field, slash commands send plain fields.
 */
export class SlackVerifier implements WebhookVerifier {
  readonly name = 'slack';

  signatureHeaders(): readonly string[] {
    return ['x-slack-signature'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const header = requireHeader(webhook, 'x-slack-signature');
    const timestamp = requireHeader(webhook, 'x-slack-request-timestamp');
    const signature = prefixedSignature(header, SIGNATURE_PREFIX, 'hex', 'X-Slack-Signature is not v0=<hex>');
    const timestampSeconds = parseTimestampSeconds(timestamp, 'X-Slack-Request-Timestamp');
    const expected = secrets.map((secret) => hmac('sha256', secret, `v0:${timestamp}:`, webhook.rawBody));
    if (!anySignatureMatches(expected, [signature])) throw new WebhookVerificationError('bad_signature', 'The Slack signature does not match');
    assertFresh(timestampSeconds, context);

    const payload = parseSlackBody(webhook);
    // Only Events API callbacks carry an id; Slack retries those with the same event_id.
    const deliveryId = stringField(payload, 'event_id') ?? `${timestamp}:${sha256(webhook.rawBody).toString('hex')}`;
    return { deliveryId, eventType: slackEventType(payload), payload, occurredAt: isRecord(payload) ? epochSecondsToIso(payload.event_time) : undefined };
  }
}

function parseSlackBody(webhook: InboundWebhook): unknown {
  if (!isFormEncoded(webhook.contentType)) return parseJsonBody(webhook.rawBody);
  const form = parseFormBody(webhook.rawBody);
  return typeof form.payload === 'string' ? parseJsonBody(form.payload) : form;
}

function slackEventType(payload: unknown): string {
  const type = (isRecord(payload) ? stringField(payload.event, 'type') : undefined) ?? stringField(payload, 'type');
  if (type) return type;
  if (stringField(payload, 'command')) return 'slash_command';
  throw new MalformedWebhookError('The payload has no event type');
}
