import {
  anySignatureMatches,
  constantTimeEqual,
  decodeBytes,
  hmac,
  InboundWebhook,
  MalformedWebhookError,
  parseFormBody,
  parseJsonBody,
  requireHeader,
  requireSecrets,
  sha256,
  stringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../../platform/webhooks/verification/webhook-verifier';

/**
 * `X-Twilio-Signature` = base64 HMAC-SHA1(auth token, url + sorted form fields as `key+value`)
 * (https://www.twilio.com/docs/usage/security#validating-requests). A JSON body is not signed itself:
 * Twilio adds `bodySHA256=<hex sha256(body)>` to the URL query and signs the URL alone.
 */
export class TwilioVerifier implements WebhookVerifier {
  readonly name = 'twilio';

  signatureHeaders(): readonly string[] {
    return ['x-twilio-signature'];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const secrets = requireSecrets(context);
    const signature = decodeBytes(requireHeader(webhook, 'x-twilio-signature'), 'base64');
    if (!signature) throw new WebhookVerificationError('malformed_header', 'X-Twilio-Signature is not base64');
    const bodyHash = queryParameter(webhook.url, 'bodySHA256');
    if (bodyHash === undefined && isJson(webhook.contentType)) {
      throw new WebhookVerificationError('bad_signature', 'A JSON body must be covered by bodySHA256 in the signed URL');
    }
    const form = bodyHash === undefined ? parseFormBody(webhook.rawBody) : undefined;
    const signedParams = form ? sortedParams(form) : '';
    const expected = secrets.flatMap((token) => urlVariants(webhook.url).map((url) => hmac('sha1', token, url, signedParams)));
    const urlSigned = anySignatureMatches(expected, [signature]);
    const bodyMatches = bodyHash === undefined || constantTimeEqual(decodeBytes(bodyHash, 'hex') ?? Buffer.alloc(0), sha256(webhook.rawBody));
    if (!urlSigned || !bodyMatches) throw new WebhookVerificationError('bad_signature', 'The Twilio signature does not match');

    const payload = form ?? parseJsonBody(webhook.rawBody);
    const sid = stringField(payload, 'MessageSid') ?? stringField(payload, 'SmsSid');
    const status = stringField(payload, 'MessageStatus') ?? stringField(payload, 'SmsStatus');
    if (!sid || !status) throw new MalformedWebhookError('The payload has no MessageSid and MessageStatus');
    return { deliveryId: `${sid}:${status}`, eventType: status, payload };
  }
}

/** As twilio-node builds it: keys sorted, each key followed by its value; a repeated key's distinct values sorted. */
function sortedParams(form: Record<string, string | string[]>): string {
  return Object.keys(form)
    .sort()
    .map((key) => {
      const value = form[key];
      return Array.isArray(value)
        ? [...new Set(value)]
            .sort()
            .map((each) => key + each)
            .join('')
        : key + value;
    })
    .join('');
}

/** Twilio may have signed the URL with or without the default port, whichever the configured URL carried. */
function urlVariants(url: string): string[] {
  const match = /^(https?:\/\/)([^/?#:]+)(:\d+)?(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, host, port, rest] = match;
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return [...new Set([url, scheme + host + rest, scheme + host + (port ?? defaultPort) + rest])];
}

function queryParameter(url: string, name: string): string | undefined {
  const withoutFragment = url.split('#')[0];
  const start = withoutFragment.indexOf('?');
  return start < 0 ? undefined : (new URLSearchParams(withoutFragment.slice(start + 1)).get(name) ?? undefined);
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType?.trim() ?? '');
}
