import {
  anySignatureMatches,
  assertFresh,
  hmac,
  HmacAlgorithm,
  InboundWebhook,
  isRecord,
  parseJsonBody,
  parseTimestampSeconds,
  prefixedSignature,
  readHeader,
  requireHeader,
  requireSecrets,
  sha256,
  SignatureEncoding,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from './webhook-verifier';

export interface GenericHmacOptions {
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  readonly prefix: string;
  readonly signedContent: 'body' | 'timestamp.body';
  readonly timestampHeader?: string;
  readonly deliveryIdHeader?: string;
  readonly eventTypeHeader?: string;
  /** A top-level field, or a dotted path such as `event.type`. */
  readonly eventTypeField?: string;
}

const ALGORITHMS: readonly HmacAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const ENCODINGS: readonly SignatureEncoding[] = ['hex', 'base64'];
const SIGNED_CONTENTS: ReadonlyArray<GenericHmacOptions['signedContent']> = ['body', 'timestamp.body'];

/**
 * Reads a connection's generic-hmac settings. A bad setting is the connection's configuration error, not the
 * sender's: it throws a TypeError (so call this when the connection is saved, too).
 */
export function parseGenericHmacOptions(options: Readonly<Record<string, string>> = {}): GenericHmacOptions {
  const header = options.header?.trim().toLowerCase();
  if (!header) throw new TypeError('generic-hmac: option "header" is required');
  const algorithm = oneOf(options, 'algorithm', ALGORITHMS, 'sha256');
  const encoding = oneOf(options, 'encoding', ENCODINGS, 'hex');
  const signedContent = oneOf(options, 'signedContent', SIGNED_CONTENTS, 'body');
  const timestampHeader = options.timestampHeader?.trim().toLowerCase() || undefined;
  if (signedContent === 'timestamp.body' && !timestampHeader) throw new TypeError('generic-hmac: signedContent "timestamp.body" needs "timestampHeader"');
  return {
    header,
    algorithm,
    encoding,
    prefix: options.prefix ?? '',
    signedContent,
    timestampHeader,
    deliveryIdHeader: options.deliveryIdHeader?.trim().toLowerCase() || undefined,
    eventTypeHeader: options.eventTypeHeader?.trim().toLowerCase() || undefined,
    eventTypeField: options.eventTypeField?.trim() || undefined,
  };
}

/** An HMAC of the body (or of `"<timestamp>.<body>"`) in a configured header, algorithm, encoding and prefix. */
export class GenericHmacVerifier implements WebhookVerifier {
  readonly name = 'generic-hmac';

  signatureHeaders(options?: Readonly<Record<string, string>>): readonly string[] {
    const header = options?.header?.trim().toLowerCase();
    return header ? [header] : [];
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    const options = parseGenericHmacOptions(context.options);
    const secrets = requireSecrets(context);
    const header = requireHeader(webhook, options.header);
    const timestamp = options.timestampHeader ? requireHeader(webhook, options.timestampHeader) : undefined;
    const signature = prefixedSignature(header, options.prefix, options.encoding, `Header ${options.header} is not a ${options.encoding} signature with the configured prefix`);
    const timestampSeconds = timestamp === undefined ? undefined : parseTimestampSeconds(timestamp, options.timestampHeader!);
    const signedPrefix = options.signedContent === 'timestamp.body' ? `${timestamp}.` : '';
    const expected = secrets.map((secret) => hmac(options.algorithm, secret, signedPrefix, webhook.rawBody));
    if (!anySignatureMatches(expected, [signature])) throw new WebhookVerificationError('bad_signature', 'The signature does not match');
    if (timestampSeconds !== undefined) assertFresh(timestampSeconds, context);

    const payload = parseJsonBody(webhook.rawBody);
    const deliveryId = (options.deliveryIdHeader && readHeader(webhook, options.deliveryIdHeader)) || sha256(webhook.rawBody).toString('hex');
    const eventType = (options.eventTypeHeader && readHeader(webhook, options.eventTypeHeader)) || fieldAt(payload, options.eventTypeField) || 'webhook';
    return { deliveryId, eventType: `generic.${eventType}`, payload };
  }
}

function oneOf<T extends string>(options: Readonly<Record<string, string>>, name: string, allowed: readonly T[], fallback: T): T {
  const value = options[name]?.trim();
  if (!value) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new TypeError(`generic-hmac: option "${name}" must be one of ${allowed.join(', ')}`);
  return value as T;
}

function fieldAt(payload: unknown, path: string | undefined): string | undefined {
  if (!path) return undefined;
  let value: unknown = payload;
  for (const key of path.split('.')) value = isRecord(value) ? value[key] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
