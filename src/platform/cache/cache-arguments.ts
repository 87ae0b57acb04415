import type { TokenBucketRule } from './cache.ports';

/*
 * Caller mistakes are RangeErrors with every backend, never a fail-mode decision: the in-process twin
 * catches them in tests exactly as Redis would in production.
 */

export function assertValidRule(rule: TokenBucketRule): void {
  if (!(Number.isFinite(rule.capacity) && rule.capacity > 0)) throw new RangeError(`Token bucket capacity must be positive, got ${rule.capacity}`);
  if (!(Number.isFinite(rule.refillPerSecond) && rule.refillPerSecond > 0)) {
    throw new RangeError(`Token bucket refillPerSecond must be positive, got ${rule.refillPerSecond}`);
  }
}

/** A cost above the capacity could never be granted: refusing it forever would hide the bug. */
export function assertValidCost(rule: TokenBucketRule, cost: number): void {
  if (!(Number.isFinite(cost) && cost > 0 && cost <= rule.capacity)) {
    throw new RangeError(`Token cost must be positive and at most the capacity (${rule.capacity}), got ${cost}`);
  }
}

/** A reserve is a share of the bucket left to others: `cost + reserve` must fit in the bucket. */
export function assertValidReserve(rule: TokenBucketRule, cost: number, reserve: number): void {
  if (!(Number.isFinite(reserve) && reserve >= 0 && cost + reserve <= rule.capacity)) {
    throw new RangeError(`Token reserve must be at least 0 and leave room for the cost within the capacity (${rule.capacity}), got ${reserve}`);
  }
}

export function assertValidRefund(rule: TokenBucketRule, tokens: number): void {
  if (!(Number.isFinite(tokens) && tokens > 0 && tokens <= rule.capacity)) {
    throw new RangeError(`Refunded tokens must be positive and at most the capacity (${rule.capacity}), got ${tokens}`);
  }
}

export function assertValidInstant(epochMs: number): void {
  if (!Number.isFinite(epochMs)) throw new RangeError(`Expected a time in epoch milliseconds, got ${epochMs}`);
}

/** Redis PX takes whole milliseconds of at least 1. */
export function wholeTtlMs(ttlMs: number): number {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`TTL must be a positive number of milliseconds, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}
