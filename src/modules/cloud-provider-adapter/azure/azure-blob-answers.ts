import { XMLParser } from 'fast-xml-parser';
import { withRun, type GovernedResponse } from '../../../platform/integrations/governed/governed-http-client';
import { quotable } from '../../../platform/http/quotable';
import { classifyStatus, IntegrationError } from '../../../platform/resilience/failure-classifier';
import { headerOf } from '../object-storage/provider-answers';

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Blob' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Azure's XML documents are read field by field
export type AzureXml = Record<string, any>;

export function parseAzureXml(body: Buffer | string): AzureXml {
  try {
    // Azure may open its documents with a byte-order mark.
    const parsed = xml.parse((typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as AzureXml) : {};
  } catch {
    return {};
  }
}

/** Azure's `<Error><Code>…</Code><Message>…</Message></Error>`, or its `x-ms-error-code` header (a HEAD answer has no body). */
export function azureErrorOf(answer: { headers: Record<string, string | string[]>; body: Buffer }): { code?: string; message?: string } {
  const error = parseAzureXml(answer.body).Error as AzureXml | undefined;
  const code = typeof error?.Code === 'string' ? error.Code : (headerOf(answer, 'x-ms-error-code') ?? undefined);
  // The message's first line: the rest is Azure's request id and time.
  const message = typeof error?.Message === 'string' ? error.Message.split('\n')[0] : undefined;
  return { ...(code ? { code: code.slice(0, 100) } : {}), ...(message ? { message: quotable(message, 300) } : {}) };
}

const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationSourceIPMismatch',
  'InvalidAuthenticationInfo',
  'InsufficientAccountPermissions',
  'KeyBasedAuthenticationNotPermitted',
  'NoAuthenticationInformation',
]);

/**
 * A failed Blob service answer as an IntegrationError: 401, 403 and the credential's codes Auth, 503
 * ServerBusy and 429 RateLimited, 5xx Transient, 416 the caller's range, other 4xx (ContainerNotFound,
 * Md5Mismatch, InvalidBlockList) Validation with Azure's code (`azure_ContainerNotFound`).
 */
export function azureFailure(response: GovernedResponse, what: string): IntegrationError {
  const { code, message } = azureErrorOf(response);
  const said = `HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const classification = response.failure ?? classifyStatus(response.status, response.headers);
  let error: IntegrationError;
  if (response.status === 401 || response.status === 403 || (code && AUTH_CODES.has(code)))
    error = IntegrationError.auth('azure_storage_auth_refused', `Azure Storage refused the connection's credential (${said})`);
  else if (response.status === 429 || response.status === 503 || code === 'ServerBusy')
    error = IntegrationError.rateLimited('azure_storage_busy', `Azure Storage asked to slow down (${said})`, { retryAfterMs: classification.retryAfterMs });
  else if (response.status >= 500)
    error = IntegrationError.transient('azure_storage_failed', `Azure Storage failed to ${what} (${said})`, { retryAfterMs: classification.retryAfterMs });
  else if (response.status === 416) error = IntegrationError.validation('range_not_satisfiable', `The range is outside the object (${said})`);
  else error = IntegrationError.validation(`azure_${code ?? response.status}`, `Azure Storage refused to ${what} (${said})`);
  return withRun(error, response.run);
}
