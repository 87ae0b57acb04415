import { classifyGitHubAnswer, SECONDARY_LIMIT_DEFAULT_WAIT_MS } from './github.rate-limits';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const body = (message: string) => Buffer.from(JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest' }));
const classify = (status: number, headers: Record<string, string>, payload = Buffer.alloc(0)) => classifyGitHubAnswer({ status, headers, body: payload }, NOW);

describe('GitHub rate-limit classification', () => {
  it('waits the retry-after of a 403 or 429', () => {
    expect(classify(403, { 'retry-after': '30' })).toEqual({ category: 'RateLimited', retryable: true, code: 'secondary_rate_limit', status: 403, retryAfterMs: 30_000 });
    expect(classify(429, { 'Retry-After': '5' })).toMatchObject({ category: 'RateLimited', retryAfterMs: 5_000, status: 429 });
  });

  it('waits until x-ratelimit-reset when the primary limit is spent', () => {
    const reset = String(NOW / 1000 + 120);
    expect(classify(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })).toEqual({
      category: 'RateLimited',
      retryable: true,
      code: 'primary_rate_limit',
      status: 403,
      retryAfterMs: 120_000,
    });
    expect(classify(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })).toMatchObject({ code: 'primary_rate_limit', retryAfterMs: 120_000 });
  });

  it('reads a secondary limit from the message when no header says how long, and waits a minute', () => {
    expect(classify(403, {}, body('You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'))).toEqual({
      category: 'RateLimited',
      retryable: true,
      code: 'secondary_rate_limit',
      status: 403,
      retryAfterMs: SECONDARY_LIMIT_DEFAULT_WAIT_MS,
    });
  });

  it('reads any other 403 as a refused credential or permission', () => {
    expect(classify(403, { 'x-ratelimit-remaining': '4999' }, body('Resource not accessible by integration'))).toEqual({
      category: 'Auth',
      retryable: false,
      code: 'forbidden',
      status: 403,
    });
    expect(classify(403, {}, Buffer.from('<html>not json</html>'))).toMatchObject({ category: 'Auth' });
  });

  it('leaves other statuses to the generic reading', () => {
    expect(classify(404, {})).toBeUndefined();
    expect(classify(500, { 'retry-after': '3' })).toBeUndefined();
    expect(classify(429, {})).toMatchObject({ category: 'RateLimited' });
  });
});
