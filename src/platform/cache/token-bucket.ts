import type { RateLimitDecision, TokenBucketRule } from './cache.ports';

/**
 * The token bucket arithmetic, shared by the in-process twin and mirrored line for line by the Redis
 * script (redis-scripts.ts), so both backends answer alike.
 */
export interface BucketState {
  tokens: number;
  /** When `tokens` was measured; in the future while the bucket is blocked (it refills only from then). */
  atMs: number;
}

export interface BucketUpdate {
  state: BucketState;
  /** When the bucket will be full again, i.e. when its state may be forgotten. */
  fullInMs: number;
}

export function takeTokens(stored: BucketState | undefined, rule: TokenBucketRule, cost: number, nowMs: number, reserve = 0): BucketUpdate & { decision: RateLimitDecision } {
  const current = refilled(stored, rule, nowMs);
  if (current.tokens >= cost + reserve) {
    const state = { tokens: current.tokens - cost, atMs: current.atMs };
    return { state, fullInMs: fullInMs(state, rule, nowMs), decision: { allowed: true, remaining: Math.floor(state.tokens), retryAfterMs: 0 } };
  }
  const retryAfterMs = Math.ceil(current.atMs - nowMs + ((cost + reserve - current.tokens) * 1000) / rule.refillPerSecond);
  return {
    state: current,
    fullInMs: fullInMs(current, rule, nowMs),
    decision: { allowed: false, remaining: Math.floor(current.tokens), retryAfterMs },
  };
}

/** Puts `tokens` back (up to the capacity); a blocked bucket stays blocked until its time. */
export function refundTokens(stored: BucketState | undefined, rule: TokenBucketRule, tokens: number, nowMs: number): BucketUpdate {
  const current = refilled(stored, rule, nowMs);
  // A blocked bucket (the vendor said wait) stays empty until its time, refund or not.
  const state = current.atMs > nowMs ? current : { tokens: Math.min(rule.capacity, current.tokens + tokens), atMs: current.atMs };
  return { state, fullInMs: fullInMs(state, rule, nowMs) };
}

export function blockTokens(stored: BucketState | undefined, rule: TokenBucketRule, blockForMs: number, nowMs: number): BucketUpdate {
  const state = { tokens: 0, atMs: Math.max(nowMs + Math.max(0, blockForMs), stored?.atMs ?? nowMs) };
  return { state, fullInMs: fullInMs(state, rule, nowMs) };
}

function refilled(stored: BucketState | undefined, rule: TokenBucketRule, nowMs: number): BucketState {
  if (!stored) return { tokens: rule.capacity, atMs: nowMs };
  if (nowMs <= stored.atMs) return { tokens: Math.min(rule.capacity, stored.tokens), atMs: stored.atMs };
  const tokens = Math.min(rule.capacity, stored.tokens + ((nowMs - stored.atMs) * rule.refillPerSecond) / 1000);
  return { tokens, atMs: nowMs };
}

function fullInMs(state: BucketState, rule: TokenBucketRule, nowMs: number): number {
  return Math.max(0, state.atMs - nowMs) + ((rule.capacity - state.tokens) * 1000) / rule.refillPerSecond;
}
