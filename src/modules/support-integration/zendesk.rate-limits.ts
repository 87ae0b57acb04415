import { FailureClassification } from '../../platform/resilience/failure-classifier';
import { parseRetryAfter } from '../../platform/resilience/retry-policy';

type Headers = Readonly<Record<string, string | string[]>>;

/** Zendesk's limits are per minute: a 429 that names no wait waits the window out. */
export const DEFAULT_WAIT_MS = 60_000;

/**
 * Zendesk's documented rate-limit answers (developer.zendesk.com/api-reference/introduction/rate-limits):
 * 429 with `Retry-After` (seconds). List endpoints also send `ratelimit-remaining` / `ratelimit-reset`
 * (read by the shared `parseRetryAfter`) and an endpoint's own
 * `zendesk-ratelimit-<endpoint>: total=100; remaining=0; resets=41`. The wait is the first of these that
 * names one, else the minute window; the governed client blocks the connection's budget for it. Anything
 * other than a 429 reads as HTTP.
 */
export function classifyZendeskAnswer(answer: { status: number; headers: Headers }, now = Date.now()): FailureClassification | undefined {
  if (answer.status !== 429) return undefined;
  const retryAfterMs = parseRetryAfter(answer.headers, now) ?? endpointResetMs(answer.headers) ?? DEFAULT_WAIT_MS;
  return { category: 'RateLimited', retryable: true, code: 'rate_limited', status: 429, retryAfterMs };
}

/** The longest `resets` of an endpoint limit (`zendesk-ratelimit-*`) that is spent, in ms. */
export function endpointResetMs(headers: Headers): number | undefined {
  let longest: number | undefined;
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('zendesk-ratelimit-')) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const fields = new Map(
        value.split(';').map((part) => {
          const [key, ...rest] = part.split('=');
          return [key.trim().toLowerCase(), rest.join('=').trim()] as const;
        }),
      );
      const remaining = Number(fields.get('remaining'));
      const resets = fields.get('resets');
      if (!(remaining <= 0) || resets === undefined || !/^\d+$/.test(resets)) continue;
      longest = Math.max(longest ?? 0, Number(resets) * 1000);
    }
  }
  return longest;
}
