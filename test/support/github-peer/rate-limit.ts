import type { PeerResponse } from '../peer-http';
import { githubError } from './errors';

const DEFAULT_LIMIT = 5000;
const WINDOW_S = 3600;

export const SECONDARY_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ABCD:1234:5678.';

interface Bucket {
  limit: number;
  used: number;
  resetAt: number;
}

/**
 * GitHub's primary rate limit per credential (`x-ratelimit-limit|remaining|used|reset|resource` on every
 * answer; 403 with `remaining: 0` once spent, until `reset`), and scripted secondary limits (403 with
 * `retry-after` and GitHub's message). A conditional request answered 304 does not count.
 */
export class GitHubRateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private secondary: Array<{ retryAfterSeconds?: number; status: 403 | 429 }> = [];
  limit = DEFAULT_LIMIT;

  /** A refusal when the credential may not make a request now: a scripted secondary limit, or its primary limit spent. */
  refusal(credential: string, now = Date.now()): PeerResponse | undefined {
    const bucket = this.bucket(credential, now);
    const scripted = this.secondary.shift();
    if (scripted) {
      return githubError(scripted.status, SECONDARY_LIMIT_MESSAGE, {
        documentationUrl: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        headers: { ...this.headers(credential, now), ...(scripted.retryAfterSeconds === undefined ? {} : { 'retry-after': String(scripted.retryAfterSeconds) }) },
      });
    }
    if (bucket.used < bucket.limit) return undefined;
    return githubError(403, 'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID ABCD:1234:5678.', {
      documentationUrl: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      headers: this.headers(credential, now),
    });
  }

  /** One request counted against the credential's primary limit. */
  spend(credential: string, now = Date.now()): void {
    this.bucket(credential, now).used += 1;
  }

  /** The credential's `x-ratelimit-*` headers. */
  headers(credential: string, now = Date.now()): Record<string, string> {
    const bucket = this.bucket(credential, now);
    return {
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(Math.max(0, bucket.limit - bucket.used)),
      'x-ratelimit-used': String(bucket.used),
      'x-ratelimit-reset': String(bucket.resetAt),
      'x-ratelimit-resource': 'core',
    };
  }

  /** The next `count` requests meet a secondary rate limit (403, or 429, with `retry-after` when given). */
  secondaryLimitNext(count: number, retryAfterSeconds?: number, status: 403 | 429 = 403): void {
    for (let index = 0; index < count; index++) this.secondary.push({ retryAfterSeconds, status });
  }

  /** Spends the credential's whole primary limit, resetting in `resetInSeconds`. */
  exhaust(credential: string, resetInSeconds: number, now = Date.now()): void {
    const bucket = this.bucket(credential, now);
    bucket.used = bucket.limit;
    bucket.resetAt = Math.ceil(now / 1000) + resetInSeconds;
  }

  remaining(credential: string, now = Date.now()): number {
    const bucket = this.bucket(credential, now);
    return bucket.limit - bucket.used;
  }

  reset(): void {
    this.buckets.clear();
    this.secondary = [];
  }

  private bucket(credential: string, now: number): Bucket {
    let bucket = this.buckets.get(credential);
    if (!bucket || bucket.resetAt * 1000 <= now) {
      bucket = { limit: this.limit, used: 0, resetAt: Math.ceil(now / 1000) + WINDOW_S };
      this.buckets.set(credential, bucket);
    }
    return bucket;
  }
}
