import { assertValidCost, assertValidInstant, assertValidRefund, assertValidReserve, assertValidRule } from './cache-arguments';
import { CacheOptions } from './cache.options';
import { CacheUnavailableError, ConsumeOptions, FailMode, RateLimitDecision, RateLimiter, TokenBucketRule } from './cache.ports';
import { RedisConnection } from './redis-connection';

const MIN_UNAVAILABLE_RETRY_AFTER_MS = 1_000;

/** Token buckets shared by every replica: one atomic script per call, on Redis server time. */
export class RedisRateLimiter extends RateLimiter {
  constructor(
    private readonly connection: RedisConnection,
    private readonly options: CacheOptions,
  ) {
    super();
  }

  async consume(key: string, rule: TokenBucketRule, options: ConsumeOptions = {}): Promise<RateLimitDecision> {
    const cost = options.cost ?? 1;
    const reserve = options.reserve ?? 0;
    assertValidRule(rule);
    assertValidCost(rule, cost);
    assertValidReserve(rule, cost, reserve);
    try {
      const [allowed, remaining, retryAfterMs] = await this.connection.run('rate-limit consume', (redis) =>
        redis.takeTokens(this.connection.key('rate', key), rule.capacity, rule.refillPerSecond, cost, reserve),
      );
      return { allowed: allowed === 1, remaining, retryAfterMs };
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      return (options.onUnavailable ?? this.options.rateLimitFailMode) === 'open'
        ? { allowed: true, remaining: Math.floor(rule.capacity - cost), retryAfterMs: 0 }
        : { allowed: false, remaining: 0, retryAfterMs: Math.max(MIN_UNAVAILABLE_RETRY_AFTER_MS, Math.ceil((cost * 1000) / rule.refillPerSecond)) };
    }
  }

  async refund(key: string, rule: TokenBucketRule, tokens = 1): Promise<void> {
    assertValidRule(rule);
    assertValidRefund(rule, tokens);
    try {
      await this.connection.run('rate-limit refund', (redis) => redis.refundTokens(this.connection.key('rate', key), rule.capacity, rule.refillPerSecond, tokens));
    } catch (error) {
      // Best effort (see the port): the bucket refills by itself.
      if (!(error instanceof CacheUnavailableError)) throw error;
    }
  }

  async block(key: string, rule: TokenBucketRule, untilMs: number, options: { onUnavailable?: FailMode } = {}): Promise<void> {
    assertValidRule(rule);
    assertValidInstant(untilMs);
    // Sent as a duration: the script anchors it to Redis time, so this replica's clock skew does not matter.
    const blockForMs = Math.ceil(untilMs - Date.now());
    try {
      await this.connection.run('rate-limit block', (redis) => redis.blockTokens(this.connection.key('rate', key), rule.capacity, rule.refillPerSecond, blockForMs));
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      if ((options.onUnavailable ?? this.options.rateLimitFailMode) === 'closed') throw error;
    }
  }
}
