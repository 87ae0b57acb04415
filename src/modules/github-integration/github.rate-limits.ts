import { classifyStatus, FailureClassification } from '../../platform/resilience/failure-classifier';
import { parseRetryAfter, readHeader } from '../../platform/resilience/retry-policy';

type Headers = Readonly<Record<string, string | string[]>>;

/** GitHub's wait when a secondary rate limit answer names none: "wait at least one minute". */
export const SECONDARY_LIMIT_DEFAULT_WAIT_MS = 60_000;

/**
 * GitHub's documented rate-limit rules (docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api):
 * a 403 or 429 with `retry-after` is a secondary limit, one with `x-ratelimit-remaining: 0` the primary
 * limit (both wait as the shared `parseRetryAfter` reads the headers), and a 403 or 429 whose message names
 * the secondary rate limit waits a minute at least. Anything else reads as HTTP (another 403: Auth).
 */
export function classifyGitHubAnswer(answer: { status: number; headers: Headers; body: Buffer }, now = Date.now()): FailureClassification | undefined {
  if (answer.status !== 403 && answer.status !== 429) return undefined;
  const wait = () => parseRetryAfter(answer.headers, now) ?? SECONDARY_LIMIT_DEFAULT_WAIT_MS;
  if (readHeader(answer.headers, 'retry-after') !== undefined) return rateLimited(answer.status, 'secondary_rate_limit', wait());
  if (readHeader(answer.headers, 'x-ratelimit-remaining')?.trim() === '0') return rateLimited(answer.status, 'primary_rate_limit', wait());
  if (/secondary rate limit/i.test(messageOf(answer.body))) return rateLimited(answer.status, 'secondary_rate_limit', SECONDARY_LIMIT_DEFAULT_WAIT_MS);
  return classifyStatus(answer.status, answer.headers, now);
}

function rateLimited(status: number, code: string, retryAfterMs: number): FailureClassification {
  return { category: 'RateLimited', retryable: true, code, status, retryAfterMs };
}

/** The `message` of GitHub's JSON error body; a body that is not one says nothing. */
function messageOf(body: Buffer): string {
  if (body.length === 0 || body.length > 65_536) return '';
  try {
    const message = (JSON.parse(body.toString('utf8')) as { message?: unknown }).message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}
