import type { VendorModelError } from './model-protocol';
import { isRecord } from './model-json';

/** The status an error sent inside a started stream is read with: had the vendor been able to answer one, it would have been a 5xx. */
export const IN_STREAM_FAILURE_STATUS = 500;

/** The chat-completions API's error type for a status, for vendors whose error bodies name none. */
export function errorTypeOfStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The JSON of an error answer's body, or undefined when it is not JSON. */
export function parseErrorBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A vendor error in the chat-completions API's terms: the type derived from the status when the vendor gave none. */
export function vendorModelError(status: number, fields: { message: string; type?: unknown; param?: unknown; code?: unknown }): VendorModelError {
  return {
    message: fields.message,
    type: typeof fields.type === 'string' && fields.type !== '' ? fields.type : errorTypeOfStatus(status),
    param: typeof fields.param === 'string' ? fields.param : null,
    code: typeof fields.code === 'string' || typeof fields.code === 'number' ? String(fields.code) : null,
  };
}

/**
 * A chat-completions error body, `{"error": {message, type, param, code}}`, in a status's terms; some
 * vendors' bodies give the code as a string and no type. Undefined when the body holds no error message.
 */
export function readErrorObject(status: number, body: unknown): VendorModelError | undefined {
  if (!isRecord(body) || !isRecord(body.error) || typeof body.error.message !== 'string') return undefined;
  const { message, type, param, code } = body.error;
  return vendorModelError(status, { message, type, param, code });
}
