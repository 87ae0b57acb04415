import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { jsonDepthExceeds } from '../../http/json-body';
import { IntegrationError } from '../../resilience/failure-classifier';

export interface InboundWebhook {
  /** The exact bytes received. */
  rawBody: Buffer;
  /** Node's IncomingHttpHeaders (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The public URL the vendor called (PUBLIC_BASE_URL + path + query): schemes that sign the URL need it. */
  url: string;
  contentType?: string;
}

export interface VerificationContext {
  /** Every secret that verifies now: the current one first, then the previous one during a rotation overlap. */
  secrets: readonly string[];
  /** Epoch ms. */
  now: number;
  /** Timestamped schemes reject a timestamp outside ±toleranceMs. */
  toleranceMs: number;
  /** Scheme settings (generic-hmac). */
  options?: Record<string, string>;
}

export interface VerifiedWebhook {
  /** The vendor's delivery id: the dedupe key. */
  deliveryId: string;
  /** The vendor's own event name (`pull_request.opened`); the vendor's normaliser namespaces it. */
  eventType: string;
  /** The parsed body (JSON, or form fields as an object). */
  payload: unknown;
  /** When the vendor says the event happened (ISO), if it says. */
  occurredAt?: string;
}

/** The answer to a vendor checking the endpoint rather than delivering an event: sent as it is, nothing recorded. */
export interface HandshakeReply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised when an object. */
  body?: unknown;
}

export interface WebhookVerifier {
  readonly name: string;
  /** The headers that carry the signature or credentials (lower-case): verified, then never stored. */
  signatureHeaders(options?: Readonly<Record<string, string>>): readonly string[];
  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook;
  /**
   * A POST that is the vendor validating the subscription (a validation code to echo), authenticated like
   * a delivery: the reply to send, or undefined for an ordinary delivery. Throws WebhookVerificationError
   * when it is not provably the vendor's.
   */
  handshake?(webhook: InboundWebhook, context: VerificationContext): HandshakeReply | undefined;
  /**
   * An OPTIONS request to the callback URL (the CloudEvents webhook abuse-protection check): the reply
   * granting delivery, or undefined when the request is not one this scheme answers. Throws
   * WebhookVerificationError when it is not provably the vendor's.
   */
  preflight?(webhook: InboundWebhook, context: VerificationContext): HandshakeReply | undefined;
}

export type VerificationFailureReason = 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed_header' | 'no_secret';

/** The request is not provably from the vendor: 401 at the edge. Messages never carry secrets or signatures. */
export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: VerificationFailureReason,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The signature is valid but the body cannot be read, or lacks the delivery id or event type: 400 (Validation). */
export class MalformedWebhookError extends IntegrationError {
  constructor(message: string) {
    super('Validation', 'malformed_webhook', message);
  }
}

// ---- helpers shared by the verifiers ----

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

/** A header's single value; an empty one counts as absent, a repeated one is ambiguous. */
export function readHeader(webhook: InboundWebhook, name: string): string | undefined {
  const value = webhook.headers[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new WebhookVerificationError('malformed_header', `Header ${name} is repeated`);
    return value[0] || undefined;
  }
  return value || undefined;
}

export function requireHeader(webhook: InboundWebhook, name: string): string {
  const value = readHeader(webhook, name);
  if (value === undefined) throw new WebhookVerificationError('missing_signature', `Header ${name} is missing`);
  return value;
}

export function requireSecrets(context: VerificationContext): readonly string[] {
  const secrets = context.secrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0) throw new WebhookVerificationError('no_secret', 'No signing secret is configured');
  return secrets;
}

/** HMAC over the parts in order; Buffers are hashed as they are (never copied into a string). */
export function hmac(algorithm: HmacAlgorithm, key: string | Buffer, ...parts: ReadonlyArray<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // The length of a digest is fixed by its algorithm, so an early answer on a mismatch reveals nothing secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether any received signature equals any expected one; every pair is compared (no early exit). */
export function anySignatureMatches(expected: readonly Buffer[], received: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of expected) {
    for (const signature of received) matched = constantTimeEqual(candidate, signature) || matched;
  }
  return matched;
}

const HEX = /^(?:[0-9a-f]{2})+$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The bytes of a signature or key, or undefined when the text is not strictly in the encoding. */
export function decodeBytes(text: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'hex') return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  return canonical === text || canonical.replace(/=+$/, '') === text ? bytes : undefined;
}

/** The bytes of a `<prefix><encoded signature>` header; anything else is a malformed header (`expectation` says what was due). */
export function prefixedSignature(header: string, prefix: string, encoding: SignatureEncoding, expectation: string): Buffer {
  const signature = header.startsWith(prefix) ? decodeBytes(header.slice(prefix.length), encoding) : undefined;
  if (!signature) throw new WebhookVerificationError('malformed_header', expectation);
  return signature;
}

export function parseTimestampSeconds(text: string, header: string): number {
  if (!/^\d{1,12}$/.test(text)) throw new WebhookVerificationError('malformed_header', `Header ${header} is not a timestamp in seconds`);
  return Number(text);
}

/** Call only after the signature has verified. */
export function assertFresh(timestampSeconds: number, context: VerificationContext): void {
  if (Math.abs(context.now - timestampSeconds * 1000) > context.toleranceMs) {
    throw new WebhookVerificationError('stale_timestamp', 'The signed timestamp is outside the tolerance');
  }
}

/**
 * Deeper than any vendor's payload: the parsed payload is re-serialised into the CloudEvent and walked by
 * normalisers, and a signed body nested 100,000 deep must be a 400, not a stack overflow.
 */
export const MAX_PAYLOAD_DEPTH = 512;

export function parseJsonBody(body: Buffer | string): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (jsonDepthExceeds(bytes, MAX_PAYLOAD_DEPTH)) throw new MalformedWebhookError(`The body is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new MalformedWebhookError('The body is not valid JSON');
  }
}

/** Form fields as an object; a repeated field keeps all its values, in order. */
export function parseFormBody(body: Buffer | string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

export function isFormEncoded(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().includes('application/x-www-form-urlencoded') ?? false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(value: unknown, field: string): string | undefined {
  const found = isRecord(value) ? value[field] : undefined;
  return typeof found === 'string' && found.length > 0 ? found : undefined;
}

export function requireStringField(value: unknown, field: string): string {
  const found = stringField(value, field);
  if (found === undefined) throw new MalformedWebhookError(`The payload has no "${field}"`);
  return found;
}

export function epochSecondsToIso(value: unknown): string | undefined {
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' ? toIso(seconds * 1000) : undefined;
}

export function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return toIso(Date.parse(value));
}

function toIso(epochMs: number): string | undefined {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
