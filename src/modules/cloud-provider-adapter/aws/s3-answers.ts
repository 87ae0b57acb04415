import { XMLParser } from 'fast-xml-parser';
import { withRun, type GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import { quotable } from '../../../platform/http/quotable';
import { classifyStatus, IntegrationError } from '../../../platform/resilience/failure-classifier';

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Contents' || name === 'CommonPrefixes' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- S3's XML documents are read field by field
export type S3Xml = Record<string, any>;

export function parseS3Xml(body: Buffer | string): S3Xml {
  try {
    const parsed = xml.parse(typeof body === 'string' ? body : body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as S3Xml) : {};
  } catch {
    return {};
  }
}

/** S3's `<Error><Code>…</Code><Message>…</Message></Error>`. */
export function s3ErrorOf(body: Buffer): { code?: string; message?: string } {
  const error = parseS3Xml(body).Error as S3Xml | undefined;
  if (!error) return {};
  return {
    ...(typeof error.Code === 'string' ? { code: error.Code.slice(0, 100) } : {}),
    ...(typeof error.Message === 'string' ? { message: quotable(error.Message, 300) } : {}),
  };
}

const AUTH_CODES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AuthorizationHeaderMalformed', 'RequestTimeTooSkewed']);

/**
 * A failed S3 answer as an IntegrationError: 403 and the credential's codes Auth, 503 SlowDown and 429
 * RateLimited, 5xx Transient, 416 the caller's range, other 4xx (NoSuchBucket, InvalidPart, EntityTooLarge) Validation.
 */
export function s3Failure(response: GovernedResponse, what: string): IntegrationError {
  const { code, message } = s3ErrorOf(response.body);
  const said = `HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const classification = response.failure ?? classifyStatus(response.status, response.headers);
  let error: IntegrationError;
  if (response.status === 403 || (code && AUTH_CODES.has(code))) error = IntegrationError.auth('s3_auth_refused', `S3 refused the connection's credential (${said})`);
  else if (response.status === 429 || code === 'SlowDown')
    error = IntegrationError.rateLimited('s3_slow_down', `S3 asked to slow down (${said})`, { retryAfterMs: classification.retryAfterMs });
  else if (response.status >= 500) error = IntegrationError.transient('s3_failed', `S3 failed to ${what} (${said})`, { retryAfterMs: classification.retryAfterMs });
  else if (response.status === 416) error = IntegrationError.validation('range_not_satisfiable', `The range is outside the object (${said})`);
  else error = IntegrationError.validation(`s3_${code ?? response.status}`, `S3 refused to ${what} (${said})`);
  return withRun(error, response.run);
}
