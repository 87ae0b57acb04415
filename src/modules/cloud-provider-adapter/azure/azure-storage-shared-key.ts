import { createHmac } from 'node:crypto';
import { IntegrationError } from '../../../platform/resilience/failure-classifier';
import type { SignableRequest } from '../../../platform/vendors/vendor-descriptor';

/** The Blob service version every call asks for (and every SAS is signed with). */
export const AZURE_STORAGE_VERSION = '2025-11-05';

/** The standard headers of the string to sign, in its order (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key). */
const SIGNED_STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

export interface AzureSharedKey {
  readonly account: string;
  /** The account key, base64-decoded. */
  readonly key: Buffer;
}

export interface SharedKeySignature {
  /** What the request must carry besides its own headers: `x-ms-date`, `x-ms-version` (unless set), `authorization`. */
  readonly headers: Record<string, string>;
  /** Kept for diagnosis: Azure's AuthenticationFailed answer quotes the string to sign it computed. */
  readonly stringToSign: string;
}

/**
 * Shared Key authorization of one Blob service request: the verb, the standard headers, the `x-ms-*`
 * headers (lower-case, sorted, trimmed) and the resource (`/<account><path>`, then each query parameter
 * decoded, lower-case, sorted, as `\nname:value`), HMAC-SHA256 with the account key. Content-Length is
 * the body's (the client sets it from the body), empty when 0.
 */
export function signSharedKey(request: SignableRequest, credentials: AzureSharedKey, now: Date): SharedKeySignature {
  const added: Record<string, string> = { 'x-ms-date': now.toUTCString() };
  if (!('x-ms-version' in request.headers)) added['x-ms-version'] = AZURE_STORAGE_VERSION;
  const headers: Record<string, string> = { ...request.headers, ...added };
  const length = request.body === undefined ? 0 : typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength;
  const standard = SIGNED_STANDARD_HEADERS.map((name) => (name === 'content-length' ? (length === 0 ? '' : String(length)) : (headers[name] ?? '')));
  const stringToSign = [request.method.toUpperCase(), ...standard].join('\n') + '\n' + canonicalizedHeaders(headers) + canonicalizedResource(request.url, credentials.account);
  const signature = createHmac('sha256', credentials.key).update(stringToSign, 'utf8').digest('base64');
  return { headers: { ...added, authorization: `SharedKey ${credentials.account}:${signature}` }, stringToSign };
}

function canonicalizedHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase().trim(), value.trim()] as const)
    .filter(([name]) => name.startsWith('x-ms-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
}

function canonicalizedResource(url: URL, account: string): string {
  const parameters = new Map<string, string[]>();
  // URLSearchParams decodes names and values (`+` as a space, as Azure reads a query).
  for (const [name, value] of url.searchParams) {
    const lower = name.toLowerCase();
    parameters.set(lower, [...(parameters.get(lower) ?? []), value]);
  }
  const query = [...parameters.keys()]
    .sort()
    .map((name) => `\n${name}:${parameters.get(name)!.join(',')}`)
    .join('');
  return `/${account}${url.pathname || '/'}${query}`;
}

/**
 * The account key of a credential that is the key itself (base64) or the account's connection string
 * (`AccountName=…;AccountKey=…`). Its messages never quote the credential.
 */
export function sharedKeyOf(credential: string, account: string): AzureSharedKey {
  const fields = new Map<string, string>();
  for (const part of credential.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim());
  }
  const key = (fields.get('accountkey') ?? credential).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
    throw IntegrationError.auth('azure_storage_key_invalid', 'The credential is neither an account key (base64) nor a connection string holding one (AccountName=…;AccountKey=…)');
  }
  const named = fields.get('accountname');
  if (named !== undefined && named !== account) {
    throw IntegrationError.auth('azure_storage_account_mismatch', `The credential’s connection string names account ${named}, the connection account ${account}`);
  }
  return { account, key: Buffer.from(key, 'base64') };
}
