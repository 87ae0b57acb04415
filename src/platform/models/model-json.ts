import type { GovernedRequest } from '../integrations/governed/governed-request';

/** Reading vendors' JSON field by field, and writing the JSON requests the protocols send. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** A POST of a JSON body (its undefined fields left out, as JSON does). */
export function jsonPost(path: string, body: object, accept = 'application/json'): GovernedRequest {
  return { method: 'POST', path, headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) };
}
