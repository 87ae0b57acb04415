import { parseRetryAfter, RetryDecision, RetryPolicy } from './retry-policy';

const WEBHOOK_SCHEDULE = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const fixed = (value: number) => () => value;
const delayOf = (decision: RetryDecision): number => {
  if (!decision.retry) throw new Error(`expected a retry, got ${decision.reason}`);
  return decision.delayMs;
};

describe('RetryPolicy.schedule (the webhook schedule)', () => {
  it('has one attempt per entry and waits the listed delay before each', () => {
    const policy = RetryPolicy.schedule(WEBHOOK_SCHEDULE, { jitter: 'none' });
    expect(policy.maxAttempts).toBe(8);
    expect(policy.delayBeforeAttempt(1)).toBe(0);
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => delayOf(policy.nextDelay({ attempt, category: 'Transient' })));
    expect(delays).toEqual(WEBHOOK_SCHEDULE.slice(1));
    expect(policy.nextDelay({ attempt: 8, category: 'Transient' })).toEqual({ retry: false, reason: 'attempts_exhausted' });
  });

  it('jitters ±10 % by default, bounded by the random source', () => {
    const lowest = RetryPolicy.schedule(WEBHOOK_SCHEDULE, { random: fixed(0) });
    const highest = RetryPolicy.schedule(WEBHOOK_SCHEDULE, { random: fixed(0.999999) });
    const middle = RetryPolicy.schedule(WEBHOOK_SCHEDULE, { random: fixed(0.5) });
    expect(delayOf(lowest.nextDelay({ attempt: 2, category: 'Transient' }))).toBe(270_000);
    expect(delayOf(highest.nextDelay({ attempt: 2, category: 'Transient' }))).toBe(330_000);
    expect(delayOf(middle.nextDelay({ attempt: 2, category: 'Transient' }))).toBe(300_000);
    expect(lowest.delayBeforeAttempt(1)).toBe(0);
  });

  it('stays within ±10 % with a real random source', () => {
    const policy = RetryPolicy.schedule(WEBHOOK_SCHEDULE);
    for (let i = 0; i < 200; i += 1) {
      const delay = delayOf(policy.nextDelay({ attempt: 7, category: 'Transient' }));
      expect(delay).toBeGreaterThanOrEqual(32_400_000);
      expect(delay).toBeLessThanOrEqual(39_600_000);
    }
  });
});

describe('RetryPolicy.exponential', () => {
  const policy = (random = fixed(0.999999)) => RetryPolicy.exponential({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 5_000, random, retryAfterCapMs: 60_000 });

  it('doubles from the base up to the max with no wait before the first attempt', () => {
    const unjittered = RetryPolicy.exponential({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 5_000, jitter: 'none' });
    expect([1, 2, 3, 4, 5, 6].map((attempt) => unjittered.delayBeforeAttempt(attempt))).toEqual([0, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('uses full jitter: uniform between 0 and the computed delay', () => {
    expect(delayOf(policy(fixed(0)).nextDelay({ attempt: 3, category: 'Transient' }))).toBe(0);
    expect(delayOf(policy(fixed(0.5)).nextDelay({ attempt: 3, category: 'Transient' }))).toBe(2_000);
    expect(delayOf(policy(fixed(0.999999)).nextDelay({ attempt: 3, category: 'Transient' }))).toBe(4_000);
  });

  it('retries Transient and RateLimited only, by default', () => {
    for (const category of ['Auth', 'Validation', 'Poison'] as const) {
      expect(policy().nextDelay({ attempt: 1, category })).toEqual({ retry: false, reason: 'not_retryable' });
    }
    expect(policy().nextDelay({ attempt: 1, category: 'RateLimited' }).retry).toBe(true);
    const authToo = RetryPolicy.exponential({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, retryOn: ['Transient', 'Auth'] });
    expect(authToo.nextDelay({ attempt: 1, category: 'Auth' }).retry).toBe(true);
    expect(authToo.nextDelay({ attempt: 1, category: 'RateLimited' })).toEqual({ retry: false, reason: 'not_retryable' });
  });

  it('honours a server-requested wait as a floor, capped by retryAfterCapMs (not by maxDelayMs)', () => {
    expect(delayOf(policy(fixed(0)).nextDelay({ attempt: 1, category: 'RateLimited', retryAfterMs: 30_000 }))).toBe(30_000);
    expect(delayOf(policy(fixed(0)).nextDelay({ attempt: 1, category: 'RateLimited', retryAfterMs: 7_200_000 }))).toBe(60_000);
    expect(delayOf(policy().nextDelay({ attempt: 3, category: 'Transient', retryAfterMs: 10 }))).toBe(4_000);
  });

  it('reports when to retry relative to the given clock', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(policy(fixed(0.5)).nextDelay({ attempt: 2, category: 'Transient', now })).toEqual({
      retry: true,
      delayMs: 1_000,
      retryAt: new Date(now + 1_000),
    });
  });

  it('refuses nonsensical settings and inputs', () => {
    expect(() => RetryPolicy.exponential({ maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 })).toThrow(RangeError);
    expect(() => RetryPolicy.exponential({ maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 1 })).toThrow(/maxDelayMs/);
    expect(() => RetryPolicy.schedule([])).toThrow(RangeError);
    expect(() => RetryPolicy.schedule([0, -5])).toThrow(/scheduleMs\[1\]/);
    expect(() => RetryPolicy.schedule([0], { jitter: { ratio: 2 } })).toThrow(/ratio/);
    expect(() => policy().nextDelay({ attempt: 0, category: 'Transient' })).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2030, 0, 1, 12, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter({ 'Retry-After': '120' }, now)).toBe(120_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0' }), now)).toBe(0);
  });

  it('reads an HTTP-date, and a date in the past as "now"', () => {
    expect(parseRetryAfter({ 'retry-after': new Date(now + 90_000).toUTCString() }, now)).toBe(90_000);
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 Jan 2020 00:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores values it cannot read', () => {
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-5' }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it('prefers millisecond headers (retry-after-ms, x-ms-retry-after-ms)', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500', 'retry-after': '2' }, now)).toBe(1_500);
    expect(parseRetryAfter({ 'x-ms-retry-after-ms': '250' }, now)).toBe(250);
  });

  it('reads rate-limit reset headers: delta-seconds, seconds-after and epoch seconds', () => {
    expect(parseRetryAfter({ 'RateLimit-Reset': '42' }, now)).toBe(42_000);
    expect(parseRetryAfter({ 'X-RateLimit-Reset-After': '1.25' }, now)).toBe(1_250);
    expect(parseRetryAfter({ 'X-RateLimit-Reset': String(now / 1000 + 300), 'X-RateLimit-Remaining': '0' }, now)).toBe(300_000);
    expect(parseRetryAfter({ 'X-RateLimit-Reset': String(now + 5_000) }, now)).toBe(5_000);
    expect(parseRetryAfter({ 'X-RateLimit-Reset': '30' }, now)).toBe(30_000);
  });

  it('ignores a reset while quota remains (some vendors send it on every answer)', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(now / 1000 + 3_000), 'x-ratelimit-remaining': '4999' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'ratelimit-reset': '30', 'ratelimit-remaining': '10' }, now)).toBeUndefined();
  });

  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter({ 'retry-after': ['5', '9'] }, now)).toBe(5_000);
  });

  it('feeds a capped delay into the policy', () => {
    const policy = RetryPolicy.schedule([0, 5_000], { jitter: 'none', retryAfterCapMs: 60_000 });
    const retryAfterMs = parseRetryAfter({ 'retry-after': new Date(now + 3_600_000).toUTCString() }, now);
    expect(policy.nextDelay({ attempt: 1, category: 'RateLimited', retryAfterMs, now })).toEqual({
      retry: true,
      delayMs: 60_000,
      retryAt: new Date(now + 60_000),
    });
  });
});
