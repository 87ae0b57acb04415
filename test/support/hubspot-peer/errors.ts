import { randomUUID } from 'node:crypto';
import { jsonResponse, PeerResponse } from '../peer-http';

/** HubSpot's error categories (developers.hubspot.com/docs/api/error-handling). */
export type HubSpotErrorCategory =
  'INVALID_AUTHENTICATION' | 'EXPIRED_AUTHENTICATION' | 'MISSING_SCOPES' | 'OBJECT_NOT_FOUND' | 'VALIDATION_ERROR' | 'CONFLICT' | 'RATE_LIMITS' | 'INTERNAL_ERROR';

/** HubSpot's error body: `{status: 'error', message, correlationId, category, context?}`. */
export function hubspotError(status: number, message: string, category: HubSpotErrorCategory, extra: Record<string, unknown> = {}): PeerResponse {
  return jsonResponse(status, { status: 'error', message, correlationId: randomUUID(), category, ...extra });
}

export const notFound = (id?: string): PeerResponse =>
  hubspotError(404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', id === undefined ? {} : { context: { id: [id] } });

export const invalid = (message: string): PeerResponse => hubspotError(400, message, 'VALIDATION_ERROR');

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY';

/** The 429 HubSpot answers when a limit is spent: a body naming the policy (no category), and the rate-limit headers. */
export function rateLimited(policyName: RateLimitPolicy, headers: Record<string, string>): PeerResponse {
  const limit = policyName === 'DAILY' ? 'daily' : 'ten_secondly_rolling';
  return jsonResponse(
    429,
    { status: 'error', message: `You have reached your ${limit} limit.`, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName, groupName: 'publicapi:private-app' },
    headers,
  );
}
