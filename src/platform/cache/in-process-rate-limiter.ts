import { assertValidCost, assertValidInstant, assertValidRefund, assertValidReserve, assertValidRule } from './cache-arguments';
import { ConsumeOptions, RateLimitDecision, RateLimiter, TokenBucketRule } from './cache.ports';
import { ExpiringMap, monotonicNow } from './expiring-map';
import { BucketState, BucketUpdate, blockTokens, refundTokens, takeTokens } from './token-bucket';

/** Token buckets in this process's memory: the embedded default, and the Redis adapter's twin. */
export class InProcessRateLimiter extends RateLimiter {
  /** A bucket is forgotten once full again: a missing bucket is a full one. */
  private readonly buckets = new ExpiringMap<BucketState>();

  async consume(key: string, rule: TokenBucketRule, options: ConsumeOptions = {}): Promise<RateLimitDecision> {
    const cost = options.cost ?? 1;
    const reserve = options.reserve ?? 0;
    assertValidRule(rule);
    assertValidCost(rule, cost);
    assertValidReserve(rule, cost, reserve);
    const update = takeTokens(this.buckets.get(key), rule, cost, monotonicNow(), reserve);
    this.store(key, update);
    return update.decision;
  }

  async refund(key: string, rule: TokenBucketRule, tokens = 1): Promise<void> {
    assertValidRule(rule);
    assertValidRefund(rule, tokens);
    this.store(key, refundTokens(this.buckets.get(key), rule, tokens, monotonicNow()));
  }

  async block(key: string, rule: TokenBucketRule, untilMs: number): Promise<void> {
    assertValidRule(rule);
    assertValidInstant(untilMs);
    this.store(key, blockTokens(this.buckets.get(key), rule, untilMs - Date.now(), monotonicNow()));
  }

  private store(key: string, { state, fullInMs }: BucketUpdate): void {
    if (fullInMs > 0) this.buckets.set(key, state, fullInMs);
    else this.buckets.delete(key);
  }
}
