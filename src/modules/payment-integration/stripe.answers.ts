import { quotable } from '../../platform/http/quotable';

/**
 * Stripe's error (`{error: {type, code, decline_code, message, param}}`) in one line. A restricted key
 * missing a permission answers 403 naming it (`… the 'rak_charge_write' permission would allow this
 * request …`): the permission is named, and the message, which quotes part of the key, is not.
 */
export function stripeFailureMessage({ status, body }: { status: number; body: unknown }): string | undefined {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code, decline_code: declineCode, message, param } = error as Record<string, unknown>;
  const text = typeof message === 'string' ? message : '';
  const permission = /'(rak_[a-z0-9_]+)'/.exec(text)?.[1];
  if (status === 403 && permission) return `the connection's restricted key lacks the ${permission} permission`;
  if (status === 401) return 'the API key was not accepted';
  const parts = [type, code, declineCode].filter((part): part is string => typeof part === 'string' && part.length > 0);
  const withoutKeys = text.replace(/\b(sk|rk|pk)_(live|test)_[A-Za-z0-9*]+/g, '[key]');
  const said = [parts.join(' / '), typeof param === 'string' ? `param ${param}` : '', quotable(withoutKeys, 300)].filter((part) => part.length > 0);
  return said.length > 0 ? said.join(': ') : undefined;
}
