import type { FailureCategory } from '../runs/entities/integration-failure.entity';
import { HeaderSource, parseRetryAfter, readHeader } from './retry-policy';

/**
 * What a failed call means for the caller: the category drives retry, breaker and health decisions.
 * `code` is a short snake_case constant (safe for rows, logs and metric labels); nothing in a
 * classification is copied from the vendor's response or from an error message.
 */
export interface FailureClassification {
  readonly category: FailureCategory;
  readonly retryable: boolean;
  readonly code: string;
  /** The HTTP status the failure came from, when it came from one. */
  readonly status?: number;
  /** The server's own "come back later" (Retry-After and rate-limit reset headers), uncapped. */
  readonly retryAfterMs?: number;
}

export type FailureInput = { readonly status: number; readonly headers?: HeaderSource; readonly now?: number } | { readonly error: unknown };

const RETRYABLE_CATEGORIES: ReadonlySet<FailureCategory> = new Set<FailureCategory>(['Transient', 'RateLimited']);

export const isRetryableCategory = (category: FailureCategory): boolean => RETRYABLE_CATEGORIES.has(category);

/**
 * Thrown by integration code to state a failure's category outright (a payload we cannot decode is
 * Poison, whatever exception the decoder raised). The message is ours, never a vendor's echo.
 */
export class IntegrationError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(
    readonly category: FailureCategory,
    readonly code: string,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = isRetryableCategory(category);
    this.retryAfterMs = options.retryAfterMs;
  }

  static transient(code: string, message: string, options?: { retryAfterMs?: number; cause?: unknown }): IntegrationError {
    return new IntegrationError('Transient', code, message, options);
  }

  static rateLimited(code: string, message: string, options?: { retryAfterMs?: number; cause?: unknown }): IntegrationError {
    return new IntegrationError('RateLimited', code, message, options);
  }

  static auth(code: string, message: string, options?: { cause?: unknown }): IntegrationError {
    return new IntegrationError('Auth', code, message, options);
  }

  static validation(code: string, message: string, options?: { cause?: unknown }): IntegrationError {
    return new IntegrationError('Validation', code, message, options);
  }

  static poison(code: string, message: string, options?: { cause?: unknown }): IntegrationError {
    return new IntegrationError('Poison', code, message, options);
  }

  toClassification(): FailureClassification {
    const { category, retryable, code, retryAfterMs } = this;
    return retryAfterMs === undefined ? { category, retryable, code } : { category, retryable, code, retryAfterMs };
  }
}

/** The platform's own IntegrationError, thrown as is or carried as the cause of a library's error (undici, an SDK). */
export function integrationErrorIn(error: unknown): IntegrationError | undefined {
  for (let current = error, depth = 0; depth < 6 && current instanceof Error; current = current.cause, depth++) {
    if (current instanceof IntegrationError) return current;
  }
  return undefined;
}

/** A vendor (or webhook receiver) answered with a non-success status; classified from the status and headers. */
export class HttpStatusError extends IntegrationError {
  constructor(
    readonly status: number,
    classification: FailureClassification,
  ) {
    super(classification.category, classification.code, `HTTP ${status}`, { retryAfterMs: classification.retryAfterMs });
  }

  static fromResponse(response: { status: number; headers?: HeaderSource }, now = Date.now()): HttpStatusError {
    return new HttpStatusError(response.status, classifyStatus(response.status, response.headers, now));
  }

  override toClassification(): FailureClassification {
    return { ...super.toClassification(), status: this.status };
  }
}

export function classifyFailure(input: FailureInput): FailureClassification {
  return 'status' in input ? classifyStatus(input.status, input.headers, input.now) : classifyError(input.error);
}

const STATUS_CODES: Readonly<Record<number, readonly [FailureCategory, string]>> = {
  400: ['Validation', 'bad_request'],
  401: ['Auth', 'unauthorized'],
  403: ['Auth', 'forbidden'],
  404: ['Validation', 'not_found'],
  405: ['Validation', 'method_not_allowed'],
  407: ['Auth', 'proxy_auth_required'],
  408: ['Transient', 'request_timeout'],
  409: ['Validation', 'conflict'],
  // A webhook receiver saying "gone" disables the subscription; that decision belongs to the caller.
  410: ['Validation', 'gone'],
  413: ['Validation', 'payload_too_large'],
  415: ['Validation', 'unsupported_media_type'],
  422: ['Validation', 'unprocessable_entity'],
  425: ['Transient', 'too_early'],
  429: ['RateLimited', 'rate_limited'],
  500: ['Transient', 'server_error'],
  501: ['Validation', 'not_implemented'],
  502: ['Transient', 'bad_gateway'],
  503: ['Transient', 'service_unavailable'],
  504: ['Transient', 'gateway_timeout'],
  505: ['Validation', 'http_version_not_supported'],
};

/**
 * 503 stays Transient even with Retry-After: the vendor is unavailable (maintenance, overload), which
 * is breaker and health business, while RateLimited means *our* quota is spent. The Retry-After is
 * carried either way and the retry policy honours it. A 403 that carries rate-limit evidence
 * (Retry-After, or a remaining count of 0) is RateLimited, not Auth.
 */
export function classifyStatus(status: number, headers?: HeaderSource, now = Date.now()): FailureClassification {
  const [category, code] = categoryOfStatus(status, headers);
  const honoursRetryAfter = category === 'RateLimited' || status === 503;
  const retryAfterMs = honoursRetryAfter && headers ? parseRetryAfter(headers, now) : undefined;
  return { category, retryable: isRetryableCategory(category), code, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

function categoryOfStatus(status: number, headers: HeaderSource | undefined): readonly [FailureCategory, string] {
  if (status === 403 && headers && carriesRateLimitEvidence(headers)) return ['RateLimited', 'rate_limited'];
  const known = STATUS_CODES[status];
  if (known) return known;
  // Redirects are never followed (egress rule): a 3xx is a misconfigured endpoint, not a blip.
  if (status >= 300 && status < 400) return ['Validation', 'redirect_refused'];
  if (status >= 400 && status < 500) return ['Validation', 'client_error'];
  if (status >= 500 && status < 600) return ['Transient', 'server_error'];
  return ['Validation', 'unexpected_status'];
}

function carriesRateLimitEvidence(headers: HeaderSource): boolean {
  if (readHeader(headers, 'retry-after') !== undefined) return true;
  return ['x-ratelimit-remaining', 'ratelimit-remaining'].some((name) => readHeader(headers, name)?.trim() === '0');
}

/** Node, undici and opossum error codes. Anything absent falls through to the error's type. */
const ERROR_CODES: Readonly<Record<string, readonly [FailureCategory, string]>> = {
  ECONNRESET: ['Transient', 'connection_reset'],
  ECONNREFUSED: ['Transient', 'connection_refused'],
  ECONNABORTED: ['Transient', 'connection_aborted'],
  EPIPE: ['Transient', 'connection_reset'],
  ETIMEDOUT: ['Transient', 'timeout'],
  ESOCKETTIMEDOUT: ['Transient', 'timeout'],
  EHOSTUNREACH: ['Transient', 'host_unreachable'],
  EHOSTDOWN: ['Transient', 'host_unreachable'],
  ENETUNREACH: ['Transient', 'network_unreachable'],
  ENETDOWN: ['Transient', 'network_unreachable'],
  ENETRESET: ['Transient', 'connection_reset'],
  // getaddrinfo: EAI_AGAIN is "resolver temporarily failed"; ENOTFOUND is NXDOMAIN, a wrong host name.
  EAI_AGAIN: ['Transient', 'dns_unavailable'],
  ENOTFOUND: ['Validation', 'dns_not_found'],
  UND_ERR_CONNECT_TIMEOUT: ['Transient', 'connect_timeout'],
  UND_ERR_HEADERS_TIMEOUT: ['Transient', 'headers_timeout'],
  UND_ERR_BODY_TIMEOUT: ['Transient', 'body_timeout'],
  UND_ERR_SOCKET: ['Transient', 'socket_error'],
  UND_ERR_CLOSED: ['Transient', 'connection_closed'],
  UND_ERR_ABORTED: ['Transient', 'aborted'],
  EOPENBREAKER: ['Transient', 'circuit_open'],
  ESEMLOCKED: ['Transient', 'circuit_saturated'],
  ESHUTDOWN: ['Transient', 'circuit_shutdown'],
  ERR_INVALID_URL: ['Validation', 'invalid_url'],
  CERT_HAS_EXPIRED: ['Validation', 'tls_error'],
  CERT_NOT_YET_VALID: ['Validation', 'tls_error'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['Validation', 'tls_error'],
  SELF_SIGNED_CERT_IN_CHAIN: ['Validation', 'tls_error'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['Validation', 'tls_error'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['Validation', 'tls_error'],
  ERR_TLS_CERT_ALTNAME_INVALID: ['Validation', 'tls_error'],
};

const MAX_CAUSE_DEPTH = 5;

/**
 * Walks an error and its causes: forced categories first, then statuses carried by SDK errors, then
 * transport codes. Only when nothing in the chain explains it does the error's own type decide, so
 * fetch's `TypeError: fetch failed` (a network failure wrapped by undici) is not mistaken for a bug.
 */
export function classifyError(error: unknown): FailureClassification {
  return explain(error, 0) ?? classifyByType(error);
}

function explain(error: unknown, depth: number): FailureClassification | undefined {
  if (depth > MAX_CAUSE_DEPTH || typeof error !== 'object' || error === null) return undefined;
  if (error instanceof IntegrationError) return error.toClassification();

  const carried = carriedStatus(error);
  if (carried) return classifyStatus(carried.status, carried.headers);

  const { code, name } = error as { code?: unknown; name?: unknown };
  const known = typeof code === 'string' ? ERROR_CODES[code] : undefined;
  if (known) return classification(known);
  if (name === 'TimeoutError') return classification(['Transient', 'timeout']);
  if (name === 'AbortError') return classification(['Transient', 'aborted']);

  const nested = [(error as { cause?: unknown }).cause, ...(error instanceof AggregateError ? error.errors : [])];
  for (const inner of nested) {
    const found = explain(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Vendor SDKs and HTTP libraries (axios-style) throw errors that carry the HTTP status and headers. */
function carriedStatus(error: object): { status: number; headers?: HeaderSource } | undefined {
  const candidate = error as { status?: unknown; statusCode?: unknown; headers?: unknown; response?: { status?: unknown; headers?: unknown } };
  const status = [candidate.status, candidate.statusCode, candidate.response?.status].find((value) => typeof value === 'number');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 300 || status > 599) return undefined;
  const headers = candidate.headers ?? candidate.response?.headers;
  return { status, headers: typeof headers === 'object' && headers !== null ? (headers as HeaderSource) : undefined };
}

function classifyByType(error: unknown): FailureClassification {
  // undici's wrapper when the cause carries no code we know: still a transport failure.
  if (error instanceof TypeError && error.message === 'fetch failed') return classification(['Transient', 'network_error']);
  if (error instanceof SyntaxError) return classification(['Poison', 'malformed_payload']);
  if (error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError) {
    return classification(['Poison', 'handler_error']);
  }
  // Unknown failures retry (bounded by the policy's attempts) rather than dead-letter on first sight.
  return classification(['Transient', 'unclassified']);
}

function classification([category, code]: readonly [FailureCategory, string]): FailureClassification {
  return { category, retryable: isRetryableCategory(category), code };
}
