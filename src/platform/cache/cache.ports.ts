/**
 * Shared, short-lived coordination state: rate budgets, locks and idempotency keys. Production: Redis,
 * shared by every replica. Embedded default: in-process. Never holds secret values.
 *
 * When the backend is unavailable (down, unreachable or slower than CACHE_COMMAND_TIMEOUT) nothing
 * crashes, no call hangs and readiness does not fail: each call follows its FailMode, `open` (proceed as
 * if allowed / new / locked locally) or `closed` (refuse). `onUnavailable` on a call overrides the
 * default of its kind (RATE_LIMIT_FAIL_MODE, LOCK_FAIL_MODE, IDEMPOTENCY_FAIL_MODE).
 */
export type FailMode = 'open' | 'closed';

export class CacheUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The cache backend is unavailable', { cause });
    this.name = 'CacheUnavailableError';
  }
}

export interface TokenBucketRule {
  /** Bucket size: the burst allowed after a quiet period. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface ConsumeOptions {
  /** Tokens taken (default 1, at most `capacity`). */
  cost?: number;
  /**
   * Tokens that must remain after this call (default 0): a background caller that leaves a share of the
   * bucket to interactive ones. Refused when fewer than `cost + reserve` are available; `cost + reserve`
   * is at most `capacity`.
   */
  reserve?: number;
  onUnavailable?: FailMode;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** When not allowed: how long until `cost` (+ `reserve`) tokens are available; 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Token buckets, atomic per key across every replica (Redis server time, so skewed replica clocks agree).
 * A missing bucket is full. Metrics are the caller's: count a refusal in `rateLimitRejections` with the
 * caller's scope.
 */
export abstract class RateLimiter {
  /**
   * Takes `cost` tokens (default 1, at most `capacity`) when `cost + reserve` are available; a refusal
   * takes nothing. Backend unavailable: `open` allows as a fresh bucket would (remaining = capacity -
   * cost), `closed` refuses with retryAfterMs = the time to refill `cost` tokens, at least one second.
   */
  abstract consume(key: string, rule: TokenBucketRule, options?: ConsumeOptions): Promise<RateLimitDecision>;
  /**
   * Gives back `tokens` taken earlier (a call that turned out to cost nothing: a 304), never filling the
   * bucket past its capacity nor shortening a block. Best effort: when the backend is unavailable it
   * resolves (the refund is lost, the bucket refills anyway).
   */
  abstract refund(key: string, rule: TokenBucketRule, tokens?: number): Promise<void>;
  /**
   * Empties a bucket until `untilMs` (epoch ms), after which it refills from zero at the rule's rate:
   * honours a vendor's Retry-After for every replica. An earlier `untilMs` never shortens a longer block.
   * Backend unavailable: `open` resolves (the block is not shared), `closed` throws CacheUnavailableError.
   */
  abstract block(key: string, rule: TokenBucketRule, untilMs: number, options?: { onUnavailable?: FailMode }): Promise<void>;
}

export interface LockHandle {
  readonly key: string;
  /** Random owner token: only the holder can release or extend. */
  readonly token: string;
  /**
   * False when the lock had already expired or been taken over, or the backend is unavailable (the lock
   * then lapses by its TTL). Never throws.
   */
  release(): Promise<boolean>;
  /** Resets the TTL to `ttlMs` from now. False as for release: the caller must assume it lost the lock. */
  extend(ttlMs: number): Promise<boolean>;
}

/** Mutual exclusion with a TTL, so a crashed holder never blocks forever. */
export abstract class DistributedLock {
  /**
   * The lock, or null when someone else holds it. Backend unavailable: `open` takes an in-process lock
   * (this replica still serialises itself, other replicas do not see it), `closed` answers null.
   */
  abstract acquire(key: string, ttlMs: number, options?: { onUnavailable?: FailMode }): Promise<LockHandle | null>;
}

export type IdempotencyState<T> = { state: 'new' } | { state: 'in-progress' } | { state: 'completed'; result: T };

/**
 * At-most-once processing per key within a TTL (duplicate commands, replayed requests). Results are
 * stored as JSON, so they come back as JSON.parse(JSON.stringify(result)) (a Date becomes a string).
 */
export abstract class IdempotencyStore {
  /**
   * Claims the key for `ttlMs` when new; otherwise says whether it is in progress or what it produced.
   * Backend unavailable: `open` answers new (duplicates may then run twice), `closed` throws
   * CacheUnavailableError.
   */
  abstract begin<T = unknown>(key: string, ttlMs: number, options?: { onUnavailable?: FailMode }): Promise<IdempotencyState<T>>;
  /**
   * Records the result for `ttlMs` (whether or not the claim is still held). Best effort: when the backend
   * is unavailable it logs and resolves, because failing the caller after the work was done would only
   * invite a retry that does it again.
   */
  abstract complete<T>(key: string, result: T, ttlMs: number): Promise<void>;
  /** Drops an in-progress claim (the work failed and may be tried again); a completed result stays. Best effort, as complete. */
  abstract release(key: string): Promise<void>;
}
