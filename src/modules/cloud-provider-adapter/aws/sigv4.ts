import { createHash, createHmac } from 'node:crypto';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { SignableRequest } from '../../../platform/vendors/vendor-descriptor';

/**
 * AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html), for
 * S3 and the S3-compatible stores as much as for any other AWS service: a canonical request, hashed into
 * a string to sign, HMAC-ed with a key derived from the secret for one day, region and service.
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The payload hash of a request whose body is not signed (presigned URLs, uploads streamed unhashed). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The longest lifetime SigV4 gives a presigned URL: seven days. */
export const MAX_PRESIGNED_EXPIRY_SECONDS = 604_800;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The session token of temporary (STS) credentials. */
  readonly sessionToken?: string;
}

export interface SigningScope {
  readonly region: string;
  /** The signing name: `s3` for S3 and the S3-compatible stores. */
  readonly service: string;
  /** Whether the canonical URI encodes the path twice. Default: once for S3, twice for every other service. */
  readonly doubleEncodePath?: boolean;
}

export interface HeaderSigningOptions extends SigningScope {
  readonly now: Date;
  /** The payload's SHA-256 (hex) or `UNSIGNED-PAYLOAD`. Default: the SHA-256 of the body (of nothing when there is none). */
  readonly payloadHash?: string;
  /** Whether `x-amz-content-sha256` is sent and signed: S3 requires it, other services do without. Default true. */
  readonly contentSha256Header?: boolean;
}

export interface PresignOptions extends SigningScope {
  /** 1 to 604800 (seven days). */
  readonly expiresSeconds: number;
  readonly now?: Date;
}

export interface SignedRequest {
  /** What the request must carry besides its own headers: `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`, `authorization`. */
  readonly headers: Record<string, string>;
  /** Kept for diagnosis: AWS's SignatureDoesNotMatch answer quotes the canonical request and string to sign it computed. */
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

/** The S3 API's signing names: they sign the path encoded once; every other service encodes it twice. */
const SINGLE_ENCODED_PATH_SERVICES = new Set(['s3', 's3express', 's3-outposts', 's3-object-lambda']);

/** Headers an intermediary may add, drop or rewrite: signing them would break the signature on the way. */
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

const PRESIGN_PARAMETERS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature']);

/** The headers that authenticate `request`: its own headers (and host) signed with the ones added. */
export function signRequest(request: SignableRequest, credentials: AwsCredentials, options: HeaderSigningOptions): SignedRequest {
  const amzDate = amzDateOf(options.now);
  const payloadHash = options.payloadHash ?? sha256Hex(request.body ?? '');
  const added: Record<string, string> = { 'x-amz-date': amzDate };
  if (options.contentSha256Header ?? true) added['x-amz-content-sha256'] = payloadHash;
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;

  const headers = signableHeaders({ host: request.url.host, ...request.headers, ...added });
  const signedHeaderNames = headers.map(([name]) => name).join(';');
  const canonical = canonicalRequest({
    method: request.method,
    canonicalUri: canonicalUri(request.url.pathname, doublesPathEncoding(options)),
    canonicalQuery: canonicalQueryString(request.url.search),
    headers,
    payloadHash,
  });
  const scope = credentialScope(amzDate, options);
  const toSign = stringToSign(amzDate, scope, canonical);
  const signature = hmac(signingKey(credentials.secretAccessKey, amzDate.slice(0, 8), options.region, options.service), toSign).toString('hex');
  return {
    headers: { ...added, authorization: `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaderNames}, Signature=${signature}` },
    canonicalRequest: canonical,
    stringToSign: toSign,
    signature,
  };
}

/**
 * A URL that carries its own authentication in the query (`X-Amz-*`), usable by whoever holds it until it
 * expires: only the host header is signed and the payload is not, as S3 presigned URLs do.
 */
export function presignUrl(request: Pick<SignableRequest, 'method' | 'url'>, credentials: AwsCredentials, options: PresignOptions): URL {
  const { expiresSeconds } = options;
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw IntegrationError.validation(
      'aws_presign_expiry_invalid',
      `A presigned URL expires after 1 to ${MAX_PRESIGNED_EXPIRY_SECONDS} seconds (seven days), not ${expiresSeconds}`,
    );
  }
  const amzDate = amzDateOf(options.now ?? new Date());
  const scope = credentialScope(amzDate, options);
  const authentication: Record<string, string> = {
    'X-Amz-Algorithm': SIGV4_ALGORITHM,
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(expiresSeconds),
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const query = [
    ...queryPairs(request.url.search).filter((pair) => !PRESIGN_PARAMETERS.has(percentDecoded(pair.split('=')[0], true).toString('utf8'))),
    ...Object.entries(authentication).map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`),
  ].join('&');
  const canonical = canonicalRequest({
    method: request.method,
    canonicalUri: canonicalUri(request.url.pathname, doublesPathEncoding(options)),
    canonicalQuery: canonicalQueryString(query),
    headers: [['host', request.url.host]],
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const signature = hmac(signingKey(credentials.secretAccessKey, amzDate.slice(0, 8), options.region, options.service), stringToSign(amzDate, scope, canonical)).toString('hex');
  const presigned = new URL(request.url);
  presigned.search = `?${query}&X-Amz-Signature=${signature}`;
  return presigned;
}

export function canonicalRequest(parts: {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  headers: readonly (readonly [string, string])[];
  payloadHash: string;
}): string {
  return [
    parts.method.toUpperCase(),
    parts.canonicalUri,
    parts.canonicalQuery,
    ...parts.headers.map(([name, value]) => `${name}:${value}`),
    '',
    parts.headers.map(([name]) => name).join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`: valid for that day, region and service only. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return [date, region, service, 'aws4_request'].reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${secretAccessKey}`, 'utf8'));
}

/**
 * The canonical URI of a path as a URL holds it (percent-encoded once, as sent). S3 names an object by
 * its key, so its path is decoded and encoded once, empty segments kept; other services sign the path's
 * encoding encoded again, after dropping empty and `.` segments and resolving `..`.
 */
export function canonicalUri(pathname: string, doubleEncode: boolean): string {
  if (!doubleEncode) return pathname.split('/').map(encodedSegment).join('/') || '/';
  const segments: string[] = [];
  for (const segment of pathname.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(encodedSegment(segment)));
  }
  const normalised = `/${segments.join('/')}`;
  return segments.length > 0 && pathname.endsWith('/') ? `${normalised}/` : normalised;
}

/** The query's parameters decoded, encoded the SigV4 way and sorted by name, then value. */
export function canonicalQueryString(search: string): string {
  return queryPairs(search)
    .map((pair) => {
      const equals = pair.indexOf('=');
      const [name, value] = equals < 0 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
      // A query is form-encoded on the wire (URLSearchParams writes a space as `+`), and is read so.
      return [uriEncode(percentDecoded(name, true)), uriEncode(percentDecoded(value, true))] as const;
    })
    .sort(([nameA, valueA], [nameB, valueB]) => compareCodeUnits(nameA, nameB) || compareCodeUnits(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** RFC 3986 percent-encoding of every UTF-8 byte but the unreserved `A-Z a-z 0-9 - . _ ~`, hex upper-case. */
export function uriEncode(value: string | Uint8Array): string {
  let encoded = '';
  for (const byte of typeof value === 'string' ? Buffer.from(value, 'utf8') : value) {
    const character = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `20150830T123600Z`: ISO 8601 basic format, UTC, whole seconds. */
export function amzDateOf(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function credentialScope(amzDate: string, scope: SigningScope): string {
  return `${amzDate.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
}

function doublesPathEncoding(scope: SigningScope): boolean {
  return scope.doubleEncodePath ?? !SINGLE_ENCODED_PATH_SERVICES.has(scope.service);
}

/** The headers to sign as `[lower-case name, value trimmed with inner runs of spaces made one]`, sorted by name. */
function signableHeaders(headers: Readonly<Record<string, string>>): [string, string][] {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) byName.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '));
  return [...byName].filter(([name]) => !UNSIGNED_HEADERS.has(name)).sort(([a], [b]) => compareCodeUnits(a, b));
}

function encodedSegment(segment: string): string {
  return uriEncode(percentDecoded(segment, false));
}

function queryPairs(search: string): string[] {
  return (search.startsWith('?') ? search.slice(1) : search).split('&').filter((pair) => pair !== '');
}

/** The bytes `text` percent-encodes: `%XX` decoded (an invalid escape kept as it is), the rest as UTF-8. */
function percentDecoded(text: string, plusIsSpace: boolean): Buffer {
  const bytes = Buffer.from(plusIsSpace ? text.replace(/\+/g, ' ') : text, 'utf8');
  const decoded = Buffer.alloc(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index++) {
    const escape = bytes[index] === 0x25 ? bytes.subarray(index + 1, index + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(escape)) {
      decoded[length++] = parseInt(escape, 16);
      index += 2;
    } else {
      decoded[length++] = bytes[index];
    }
  }
  return decoded.subarray(0, length);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
