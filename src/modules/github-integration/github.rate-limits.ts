import { classifyStatus, FailureClassification } from '../../platform/resilience/failure-classifier';

type Headers = Readonly<Record<string, string | string[]>>;

/** GitHub's wait when a secondary rate limit answer names none: "wait at least one minute". */
export const SECONDARY_LIMIT_DEFAULT_WAIT_MS = 60_000;

/**
 * GitHub's documented rate-limit rules (docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api):
 * a 403 or 429 with `retry-after` waits that long; one with `x-ratelimit-remaining: 0` waits until
 * `x-ratelimit-reset` (epoch seconds); a 403 or 429 whose message names the secondary rate limit waits a
 * minute at least. Any other 403 is a refused credential or permission (Auth). Everything else reads as HTTP.
 */
export function classifyGitHubAnswer(answer: { status: number; headers: Headers; body: Buffer }, now = Date.now()): FailureClassification | undefined {
  if (answer.status !== 403 && answer.status !== 429) return undefined;
  const retryAfter = secondsHeader(answer.headers, 'retry-after');
  if (retryAfter !== undefined) return rateLimited(answer.status, 'secondary_rate_limit', retryAfter * 1000);
  if (header(answer.headers, 'x-ratelimit-remaining')?.trim() === '0') {
    const reset = secondsHeader(answer.headers, 'x-ratelimit-reset');
    return rateLimited(answer.status, 'primary_rate_limit', reset === undefined ? SECONDARY_LIMIT_DEFAULT_WAIT_MS : Math.max(0, reset * 1000 - now));
  }
  if (/secondary rate limit/i.test(messageOf(answer.body))) return rateLimited(answer.status, 'secondary_rate_limit', SECONDARY_LIMIT_DEFAULT_WAIT_MS);
  if (answer.status === 403) return { category: 'Auth', retryable: false, code: 'forbidden', status: 403 };
  return classifyStatus(answer.status, answer.headers, now);
}

function rateLimited(status: number, code: string, retryAfterMs: number): FailureClassification {
  return { category: 'RateLimited', retryable: true, code, status, retryAfterMs };
}

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

function secondsHeader(headers: Headers, name: string): number | undefined {
  const text = header(headers, name)?.trim();
  if (!text || !/^\d{1,12}$/.test(text)) return undefined;
  return Number(text);
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
