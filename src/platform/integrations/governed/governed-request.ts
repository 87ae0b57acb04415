import { IntegrationError } from '../../resilience/failure-classifier';
import type { StoredRequest } from '../../runs/entities/integration-run.entity';
import { isRelativePath } from '../connections/connection-configuration';

export const GOVERNED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type GovernedMethod = (typeof GOVERNED_METHODS)[number];

/** A call to a connection's API, relative to its base URL. Credentials are added by the pipeline, never by the caller. */
export interface GovernedRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Headers a caller may not set: credentials come from the vault only, and transport framing is the
 * client's. The connection's own API-key header is refused as well (checked by the pipeline).
 */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'expect',
  'x-api-key',
  'api-key',
]);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const HEADER_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;
const MAX_HEADERS = 50;

/** Checks a caller's request; throws a Validation IntegrationError naming what is wrong. */
export function validateGovernedRequest(request: GovernedRequest, limits: { maxBodyBytes: number; apiKeyHeader?: string }): GovernedMethod {
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  if (!(GOVERNED_METHODS as readonly string[]).includes(method)) {
    throw IntegrationError.validation('invalid_method', `method must be one of: ${GOVERNED_METHODS.join(', ')}`);
  }
  if (!isRelativePath(request.path) || request.path.includes('?')) {
    throw IntegrationError.validation('invalid_path', 'path must start with "/" and carry no query (use query) or fragment');
  }
  if (request.query !== undefined) {
    if (typeof request.query !== 'object' || request.query === null || Array.isArray(request.query)) {
      throw IntegrationError.validation('invalid_query', 'query must be an object of strings or string lists');
    }
    for (const value of Object.values(request.query)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((item) => typeof item === 'string')) throw IntegrationError.validation('invalid_query', 'query must be an object of strings or string lists');
    }
  }
  const headers = request.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.keys(headers).length > MAX_HEADERS) {
    throw IntegrationError.validation('invalid_headers', `headers must be an object of at most ${MAX_HEADERS} string values`);
  }
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw IntegrationError.validation('invalid_headers', `header ${HEADER_NAME.test(name) ? name : '(invalid name)'} is not a valid HTTP header`);
    }
    if (FORBIDDEN_HEADERS.has(lower) || lower === limits.apiKeyHeader?.toLowerCase()) {
      throw IntegrationError.validation('forbidden_header', `header ${name} may not be set by the caller: credentials and framing are the platform's`);
    }
  }
  if (request.body !== undefined) {
    if (typeof request.body !== 'string' && !Buffer.isBuffer(request.body)) throw IntegrationError.validation('invalid_body', 'body must be a string');
    if (Buffer.byteLength(request.body) > limits.maxBodyBytes) {
      throw IntegrationError.validation('body_too_large', `body exceeds the limit of ${limits.maxBodyBytes} bytes`);
    }
    if (method === 'GET' || method === 'HEAD') throw IntegrationError.validation('invalid_body', `${method} requests carry no body`);
  }
  return method as GovernedMethod;
}

/** How many layers of percent-encoding are unwrapped looking for a hidden separator (`%252f` is `%2f` once decoded). */
const MAX_DECODING_DEPTH = 3;
const SEPARATOR_OR_NUL = /[/\\\0]/;
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;
/** Nothing to look at more closely without a percent sign, a backslash, a NUL or a segment starting with a dot. */
const NEEDS_SEGMENT_CHECK = /[%\\\0]|\/\./;

/**
 * Refuses a path a vendor could resolve outside the base URL: a dot segment (`..`, `.`, literal or
 * percent-encoded) or a segment holding a separator or NUL, literal or behind percent-encoding (`..%2f`,
 * `%5c`, `%00`, `%252f`). URL normalisation only sees literal and single-encoded dots, while vendors'
 * servers and proxies may decode `%2f` into `/` (or `%5c` into `\\`) before routing.
 */
function assertPathStaysPut(path: string): void {
  if (!NEEDS_SEGMENT_CHECK.test(path)) return;
  for (const segment of path.split('/').slice(1)) {
    let decoded = segment;
    for (let depth = 0; depth <= MAX_DECODING_DEPTH; depth++) {
      if (decoded === '.' || decoded === '..' || SEPARATOR_OR_NUL.test(decoded)) {
        throw IntegrationError.validation('invalid_path', `path ${quoted(path)} has a dot segment or an encoded separator: it must stay under the connection’s base URL`);
      }
      if (!decoded.includes('%')) break;
      // Byte by byte, leniently (a stray `%` stays): only ASCII separators and dots matter here.
      decoded = decoded.replace(PERCENT_ESCAPE, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
  }
}

function quoted(path: string): string {
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
}

/** The vendor URL of a request: the base URL's path, then the request's. The result never leaves the base URL. */
export function resolveVendorUrl(baseUrl: URL, request: Pick<GovernedRequest, 'path' | 'query'>): URL {
  assertPathStaysPut(request.path);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const url = new URL(baseUrl.origin);
  url.pathname = `${basePath}${request.path}`;
  if (url.origin !== baseUrl.origin || !url.pathname.startsWith(`${basePath}/`)) {
    throw IntegrationError.validation('invalid_path', 'path must stay under the connection’s base URL');
  }
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, item);
  }
  return url;
}

export function toStoredRequest(method: GovernedMethod, request: GovernedRequest): StoredRequest {
  return {
    method,
    path: request.path,
    ...(request.query ? { query: request.query } : {}),
    ...(request.headers && Object.keys(request.headers).length > 0 ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: Buffer.from(request.body).toString('base64') } : {}),
  };
}

export function fromStoredRequest(stored: StoredRequest): GovernedRequest {
  return {
    method: stored.method,
    path: stored.path,
    query: stored.query,
    headers: stored.headers,
    body: stored.body === undefined ? undefined : Buffer.from(stored.body, 'base64'),
  };
}
