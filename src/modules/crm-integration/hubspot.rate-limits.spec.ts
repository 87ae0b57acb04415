import { classifyHubSpotAnswer, hubSpotQuotaWait, DEFAULT_INTERVAL_MS, MIN_DAILY_WAIT_MS } from './hubspot.rate-limits';

const NOW = Date.UTC(2026, 5, 1, 18, 0, 0);
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const rateLimitBody = (policyName: string) =>
  body({ status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: 'c0f1', policyName, groupName: 'publicapi:private-app:1' });
const headers = {
  'x-hubspot-ratelimit-max': '100',
  'x-hubspot-ratelimit-remaining': '0',
  'x-hubspot-ratelimit-interval-milliseconds': '10000',
  'x-hubspot-ratelimit-daily': '250000',
  'x-hubspot-ratelimit-daily-remaining': '1200',
};

describe('classifyHubSpotAnswer', () => {
  it('reads the ten-secondly rolling limit as RateLimited for the interval HubSpot names', () => {
    expect(classifyHubSpotAnswer({ status: 429, headers, body: rateLimitBody('TEN_SECONDLY_ROLLING') }, NOW)).toEqual({
      category: 'RateLimited',
      retryable: true,
      code: 'burst_rate_limit',
      status: 429,
      retryAfterMs: 10_000,
    });
    const shorter = { ...headers, 'x-hubspot-ratelimit-interval-milliseconds': '1000' };
    expect(classifyHubSpotAnswer({ status: 429, headers: shorter, body: rateLimitBody('TEN_SECONDLY_ROLLING') }, NOW)?.retryAfterMs).toBe(1000);
    expect(classifyHubSpotAnswer({ status: 429, headers: {}, body: rateLimitBody('SECONDLY') }, NOW)?.retryAfterMs).toBe(DEFAULT_INTERVAL_MS);
  });

  it('prefers a Retry-After when HubSpot sends one', () => {
    expect(classifyHubSpotAnswer({ status: 429, headers: { ...headers, 'retry-after': '3' }, body: rateLimitBody('TEN_SECONDLY_ROLLING') }, NOW)?.retryAfterMs).toBe(3000);
  });

  it('waits for the next midnight (UTC) when the daily limit is spent', () => {
    const daily = { ...headers, 'x-hubspot-ratelimit-daily-remaining': '0', 'x-hubspot-ratelimit-remaining': '99' };
    expect(classifyHubSpotAnswer({ status: 429, headers: daily, body: rateLimitBody('DAILY') }, NOW)).toMatchObject({
      category: 'RateLimited',
      code: 'daily_rate_limit',
      retryAfterMs: 6 * 3_600_000,
    });
    // No policy named, but the daily count is spent.
    expect(classifyHubSpotAnswer({ status: 429, headers: daily, body: Buffer.alloc(0) }, NOW)?.code).toBe('daily_rate_limit');
    const lastMinute = Date.UTC(2026, 5, 1, 23, 59, 50);
    expect(classifyHubSpotAnswer({ status: 429, headers: daily, body: rateLimitBody('DAILY') }, lastMinute)?.retryAfterMs).toBe(MIN_DAILY_WAIT_MS);
  });

  it('leaves every other answer to HTTP’s reading', () => {
    expect(classifyHubSpotAnswer({ status: 200, headers, body: body({}) }, NOW)).toBeUndefined();
    expect(classifyHubSpotAnswer({ status: 403, headers: {}, body: body({ status: 'error', category: 'MISSING_SCOPES' }) }, NOW)).toBeUndefined();
    expect(classifyHubSpotAnswer({ status: 429, headers: {}, body: Buffer.from('<html>') }, NOW)).toMatchObject({ category: 'RateLimited', code: 'rate_limited' });
  });
});

describe('hubSpotQuotaWait', () => {
  const now = Date.parse('2026-12-02T18:00:00Z');
  it('waits the window when the burst limit is spent, until midnight UTC when the daily one is, and not otherwise', () => {
    expect(hubSpotQuotaWait({ status: 200, headers: { 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' } }, now)).toBe(10_000);
    expect(hubSpotQuotaWait({ status: 200, headers: { 'x-hubspot-ratelimit-daily-remaining': '0' } }, now)).toBe(6 * 3_600_000);
    expect(hubSpotQuotaWait({ status: 200, headers: { 'x-hubspot-ratelimit-remaining': '4' } }, now)).toBeUndefined();
    // A 429 is the classifier's to read.
    expect(hubSpotQuotaWait({ status: 429, headers: { 'x-hubspot-ratelimit-remaining': '0' } }, now)).toBeUndefined();
  });
});
