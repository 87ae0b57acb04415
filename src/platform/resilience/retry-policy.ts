import type { FailureCategory } from '../runs/entities/integration-failure.entity';

/** fetch `Headers` (or anything with `get`), or Node's `IncomingHttpHeaders`-style record. */
export type HeaderSource = { get(name: string): string | null | undefined } | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * `full`: uniform in [0, delay]; spreads clients that failed together best (exponential policies).
 * `{ ratio }`: uniform in delay × [1 − ratio, 1 + ratio]; keeps a published schedule recognisable
 * (the webhook schedule is ±10 %).
 */
export type Jitter = 'none' | 'full' | { readonly ratio: number };

interface CommonSettings {
  /** Categories worth another attempt. Default: Transient and RateLimited. */
  readonly retryOn?: readonly FailureCategory[];
  /** The longest server-requested wait (Retry-After, rate-limit reset) honoured. Default 1 h. */
  readonly retryAfterCapMs?: number;
  readonly jitter?: Jitter;
  /** A source in [0, 1); inject a fixed one for deterministic tests. */
  readonly random?: () => number;
}

export interface ExponentialBackoffSettings extends CommonSettings {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  /** Delay before the second attempt, multiplied for each one after. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Default 2. */
  readonly multiplier?: number;
}

export interface RetryInput {
  /** Attempts made so far, the one that just failed included (1 after the first failure). */
  readonly attempt: number;
  readonly category: FailureCategory;
  /** The server's own wait, e.g. `FailureClassification.retryAfterMs`. */
  readonly retryAfterMs?: number;
  readonly now?: number;
}

export type RetryDecision =
  { readonly retry: true; readonly delayMs: number; readonly retryAt: Date } | { readonly retry: false; readonly reason: 'not_retryable' | 'attempts_exhausted' };

export const DEFAULT_RETRY_ON: readonly FailureCategory[] = ['Transient', 'RateLimited'];
export const DEFAULT_RETRY_AFTER_CAP_MS = 3_600_000;
export const SCHEDULE_JITTER: Jitter = { ratio: 0.1 };

/** Delay before attempt n (1-based), before jitter. */
type Backoff = (attempt: number) => number;

/**
 * When (and whether) to try again after a classified failure. Immutable; one instance serves every
 * call that shares the policy. Server-requested waits are a floor on the computed delay, capped by
 * `retryAfterCapMs` (which is independent of `maxDelayMs`: a vendor may ask for longer than our own
 * backoff would ever wait).
 */
export class RetryPolicy {
  private readonly retryOn: ReadonlySet<FailureCategory>;
  private readonly retryAfterCapMs: number;
  private readonly jitter: Jitter;
  private readonly random: () => number;

  private constructor(
    readonly maxAttempts: number,
    private readonly backoff: Backoff,
    settings: CommonSettings,
    defaultJitter: Jitter,
  ) {
    this.retryOn = new Set(settings.retryOn ?? DEFAULT_RETRY_ON);
    this.retryAfterCapMs = nonNegative('retryAfterCapMs', settings.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS);
    this.jitter = validJitter(settings.jitter ?? defaultJitter);
    this.random = settings.random ?? Math.random;
  }

  /** No wait before the first attempt; base × multiplier^(n−2) before attempt n, capped at maxDelayMs. Full jitter by default. */
  static exponential(settings: ExponentialBackoffSettings): RetryPolicy {
    const { maxAttempts, baseDelayMs, maxDelayMs, multiplier = 2 } = settings;
    positiveInteger('maxAttempts', maxAttempts);
    nonNegative('baseDelayMs', baseDelayMs);
    nonNegative('maxDelayMs', maxDelayMs);
    if (maxDelayMs < baseDelayMs) throw new RangeError('maxDelayMs must be at least baseDelayMs');
    if (!(multiplier >= 1)) throw new RangeError('multiplier must be at least 1');
    const backoff: Backoff = (attempt) => (attempt <= 1 ? 0 : Math.min(maxDelayMs, baseDelayMs * multiplier ** (attempt - 2)));
    return new RetryPolicy(maxAttempts, backoff, settings, 'full');
  }

  /**
   * An explicit delay before each attempt: `scheduleMs[0]` precedes the first attempt, and there are
   * as many attempts as entries (the webhook schedule `0,5s,5m,30m,2h,5h,10h,10h` is 8 attempts).
   * ±10 % jitter by default.
   */
  static schedule(scheduleMs: readonly number[], settings: CommonSettings = {}): RetryPolicy {
    if (scheduleMs.length === 0) throw new RangeError('scheduleMs must list at least one delay');
    scheduleMs.forEach((delay, index) => nonNegative(`scheduleMs[${index}]`, delay));
    const delays = [...scheduleMs];
    return new RetryPolicy(delays.length, (attempt) => delays[attempt - 1], settings, SCHEDULE_JITTER);
  }

  retries(category: FailureCategory): boolean {
    return this.retryOn.has(category);
  }

  /** Jittered delay before attempt `attempt` (1-based), ignoring any server-requested wait. */
  delayBeforeAttempt(attempt: number): number {
    positiveInteger('attempt', attempt);
    if (attempt > this.maxAttempts) throw new RangeError(`attempt must be at most ${this.maxAttempts}`);
    return this.applyJitter(this.backoff(attempt));
  }

  nextDelay({ attempt, category, retryAfterMs, now = Date.now() }: RetryInput): RetryDecision {
    positiveInteger('attempt', attempt);
    if (!this.retries(category)) return { retry: false, reason: 'not_retryable' };
    if (attempt >= this.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
    const computed = this.delayBeforeAttempt(attempt + 1);
    const requested = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, this.retryAfterCapMs) : 0;
    const delayMs = Math.round(Math.max(computed, requested));
    return { retry: true, delayMs, retryAt: new Date(now + delayMs) };
  }

  private applyJitter(delay: number): number {
    if (this.jitter === 'none' || delay === 0) return delay;
    const r = Math.min(Math.max(this.random(), 0), 1);
    if (this.jitter === 'full') return Math.round(delay * r);
    return Math.max(0, Math.round(delay * (1 + this.jitter.ratio * (2 * r - 1))));
  }
}

/** Reads one header case-insensitively; a repeated header yields its first value. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  const wanted = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === wanted);
  const value = key === undefined ? undefined : record[key];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

const EPOCH_SECONDS_FLOOR = 1e9; // 2001-09-09: smaller reset values are delta-seconds
const EPOCH_MILLISECONDS_FLOOR = 1e12;

/**
 * The wait a server asked for, in milliseconds (0 when the moment has passed), or undefined when it
 * said nothing usable. First match wins:
 *   1. `retry-after-ms`, `x-ms-retry-after-ms`: milliseconds
 *   2. `Retry-After`: delta-seconds or an HTTP-date
 *   3. `RateLimit-Reset` (IETF draft): delta-seconds
 *   4. `X-RateLimit-Reset-After`: seconds, fractions allowed
 *   5. `X-RateLimit-Reset`: epoch seconds, epoch milliseconds, or delta-seconds by magnitude
 * Reset headers count only when the matching `*-Remaining` is absent or 0: some vendors send them on every
 * answer, and a 503 with quota left must not wait for the quota window.
 */
export function parseRetryAfter(headers: HeaderSource, now = Date.now()): number | undefined {
  const header = (name: string) => readHeader(headers, name)?.trim();
  const exhausted = (remainingHeader: string) => {
    const remaining = header(remainingHeader);
    return remaining === undefined || remaining === '' || Number(remaining) <= 0;
  };
  const candidates: Array<() => number | undefined> = [
    () => milliseconds(header('retry-after-ms')) ?? milliseconds(header('x-ms-retry-after-ms')),
    () => retryAfterValue(header('retry-after'), now),
    () => (exhausted('ratelimit-remaining') ? seconds(header('ratelimit-reset')) : undefined),
    () => (exhausted('x-ratelimit-remaining') ? seconds(header('x-ratelimit-reset-after')) : undefined),
    () => (exhausted('x-ratelimit-remaining') ? resetValue(header('x-ratelimit-reset'), now) : undefined),
  ];
  for (const candidate of candidates) {
    const ms = candidate();
    if (ms !== undefined) return Math.max(0, Math.ceil(ms));
  }
  return undefined;
}

const NUMBER = /^\d+(\.\d+)?$/;

function milliseconds(value: string | undefined): number | undefined {
  return value !== undefined && NUMBER.test(value) ? Number(value) : undefined;
}

function seconds(value: string | undefined): number | undefined {
  return value !== undefined && NUMBER.test(value) ? Number(value) * 1000 : undefined;
}

function retryAfterValue(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (NUMBER.test(value)) return Number(value) * 1000;
  if (/^-?\d/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at - now : undefined;
}

function resetValue(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !NUMBER.test(value)) return undefined;
  const reset = Number(value);
  if (reset >= EPOCH_MILLISECONDS_FLOOR) return reset - now;
  if (reset >= EPOCH_SECONDS_FLOOR) return reset * 1000 - now;
  return reset * 1000;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number of milliseconds, at least 0`);
  return value;
}

function validJitter(jitter: Jitter): Jitter {
  if (typeof jitter === 'object' && !(jitter.ratio >= 0 && jitter.ratio <= 1)) throw new RangeError('jitter ratio must be between 0 and 1');
  return jitter;
}
