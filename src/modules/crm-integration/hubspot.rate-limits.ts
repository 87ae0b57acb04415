import { classifyStatus, FailureClassification } from '../../platform/resilience/failure-classifier';
import { HeaderSource, parseRetryAfter, readHeader } from '../../platform/resilience/retry-policy';

type Headers = Readonly<Record<string, string | string[]>>;

/** The rolling window of HubSpot's burst limit, when an answer does not name it (`X-HubSpot-RateLimit-Interval-Milliseconds`). */
export const DEFAULT_INTERVAL_MS = 10_000;
/** The shortest wait for a spent daily limit: HubSpot resets it at midnight in the account's time zone, which no answer names. */
export const MIN_DAILY_WAIT_MS = 60_000;

/**
 * HubSpot's rate limits (developers.hubspot.com/docs/api/usage-details): a 429 whose JSON body says
 * `errorType: RATE_LIMIT` and names the policy, `TEN_SECONDLY_ROLLING` (the burst limit, a rolling window
 * of `X-HubSpot-RateLimit-Interval-Milliseconds`) or `DAILY`. Burst: wait the window (or Retry-After, when
 * HubSpot sends one). Daily: wait until the next midnight UTC (the account's time zone is not in the
 * answer; an early retry is another 429 and another wait), at least a minute. Any other 429 reads as HTTP.
 * The classification's wait is what the kernel's rate budget blocks the connection for, on every replica.
 */
export function classifyHubSpotAnswer(answer: { status: number; headers: Headers; body: Buffer }, now = Date.now()): FailureClassification | undefined {
  if (answer.status !== 429) return undefined;
  const retryAfter = parseRetryAfter(answer.headers, now);
  const error = errorOf(answer.body);
  const daily = error.policyName === 'DAILY' || (error.policyName === undefined && readHeader(answer.headers, 'x-hubspot-ratelimit-daily-remaining')?.trim() === '0');
  if (daily) return rateLimited('daily_rate_limit', Math.max(retryAfter ?? 0, untilMidnightUtc(now), MIN_DAILY_WAIT_MS));
  if (error.policyName !== undefined || error.errorType === 'RATE_LIMIT' || readHeader(answer.headers, 'x-hubspot-ratelimit-remaining') !== undefined) {
    return rateLimited('burst_rate_limit', retryAfter ?? intervalOf(answer.headers));
  }
  return classifyStatus(answer.status, answer.headers, now);
}

/**
 * A successful answer that spent the last call of a window (`X-HubSpot-RateLimit-Remaining: 0`, or the
 * daily one): the connection waits the window (or until midnight UTC) before HubSpot would answer 429.
 */
export function hubSpotQuotaWait(answer: { status: number; headers: HeaderSource }, now = Date.now()): number | undefined {
  if (answer.status === 429) return undefined;
  if (readHeader(answer.headers, 'x-hubspot-ratelimit-daily-remaining')?.trim() === '0') return Math.max(untilMidnightUtc(now), MIN_DAILY_WAIT_MS);
  if (readHeader(answer.headers, 'x-hubspot-ratelimit-remaining')?.trim() === '0') return intervalOf(answer.headers);
  return undefined;
}

function rateLimited(code: string, retryAfterMs: number): FailureClassification {
  return { category: 'RateLimited', retryable: true, code, status: 429, retryAfterMs };
}

function intervalOf(headers: HeaderSource): number {
  const interval = Number(readHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds'));
  return Number.isInteger(interval) && interval > 0 && interval <= 86_400_000 ? interval : DEFAULT_INTERVAL_MS;
}

function untilMidnightUtc(now: number): number {
  const midnight = new Date(now);
  midnight.setUTCHours(24, 0, 0, 0);
  return midnight.getTime() - now;
}

/** `errorType` and `policyName` of HubSpot's error body; a body that is not one says nothing. */
function errorOf(body: Buffer): { errorType?: string; policyName?: string } {
  if (body.length === 0 || body.length > 65_536) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorType?: unknown; policyName?: unknown };
    return {
      errorType: typeof parsed.errorType === 'string' ? parsed.errorType : undefined,
      policyName: typeof parsed.policyName === 'string' ? parsed.policyName : undefined,
    };
  } catch {
    return {};
  }
}
