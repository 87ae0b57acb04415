import type { PeerRequest } from '../peer-http';

/** `x-ms-continuationtoken` paging: the token is opaque to clients; here it is the next index, base64url. */
export function continuationPage<T>(items: readonly T[], request: PeerRequest, defaultTop: number): { page: T[]; continuationToken?: string } {
  const top = positiveInteger(request.query.get('$top')) ?? defaultTop;
  const token = request.query.get('continuationToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const page = items.slice(start, start + top);
  const next = start + page.length;
  return next < items.length ? { page, continuationToken: Buffer.from(String(next), 'utf8').toString('base64url') } : { page };
}

/** `$top`/`$skip` paging (pull requests). */
export function skipPage<T>(items: readonly T[], request: PeerRequest, defaultTop: number): T[] {
  const top = positiveInteger(request.query.get('$top')) ?? defaultTop;
  const skip = positiveInteger(request.query.get('$skip')) ?? 0;
  return items.slice(skip, skip + top);
}

/** The `{count, value}` envelope of every list. */
export function listEnvelope<T>(value: readonly T[]): { count: number; value: readonly T[] } {
  return { count: value.length, value };
}

function positiveInteger(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}
