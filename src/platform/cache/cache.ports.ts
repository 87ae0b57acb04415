/**
 * Shared, short-lived coordination state: rate budgets, locks and idempotency keys. Production: Redis,
 * shared by every replica. Embedded default: in-process. Never holds secret values.
 *
 * When the backend is unavailable nothing crashes and readiness does not fail: each call site chooses
 * `open` (proceed as if allowed / new / locked locally) or `closed` (refuse) via FailMode.
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

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** When not allowed: how long until `cost` tokens are available; 0 when allowed. */
  retryAfterMs: number;
}

/** Token buckets, atomic per key across every replica. */
export abstract class RateLimiter {
  abstract consume(key: string, rule: TokenBucketRule, options?: { cost?: number; onUnavailable?: FailMode }): Promise<RateLimitDecision>;
  /** Empties a bucket until `untilMs` (epoch ms): honours a vendor's Retry-After for every replica. */
  abstract block(key: string, rule: TokenBucketRule, untilMs: number, options?: { onUnavailable?: FailMode }): Promise<void>;
}

export interface LockHandle {
  readonly key: string;
  /** Random owner token: only the holder can release or extend. */
  readonly token: string;
  /** False when the lock had already expired or been taken over. */
  release(): Promise<boolean>;
  extend(ttlMs: number): Promise<boolean>;
}

/** Mutual exclusion with a TTL, so a crashed holder never blocks forever. */
export abstract class DistributedLock {
  /** The lock, or null when someone else holds it. */
  abstract acquire(key: string, ttlMs: number, options?: { onUnavailable?: FailMode }): Promise<LockHandle | null>;
}

export type IdempotencyState<T> = { state: 'new' } | { state: 'in-progress' } | { state: 'completed'; result: T };

/** At-most-once processing per key within a TTL (duplicate commands, replayed requests). */
export abstract class IdempotencyStore {
  /** Claims the key for the caller when new; otherwise says whether it is in progress or what it produced. */
  abstract begin<T = unknown>(key: string, ttlMs: number, options?: { onUnavailable?: FailMode }): Promise<IdempotencyState<T>>;
  abstract complete<T>(key: string, result: T, ttlMs: number): Promise<void>;
  /** Drops a claim (the work failed and may be tried again). */
  abstract release(key: string): Promise<void>;
}
