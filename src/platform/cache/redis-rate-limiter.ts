import { assertValidCost, assertValidInstant, assertValidRule } from './cache-arguments';
import { CacheOptions } from './cache.options';
import { CacheUnavailableError, FailMode, RateLimitDecision, RateLimiter, TokenBucketRule } from './cache.ports';
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

  async consume(key: string, rule: TokenBucketRule, options: { cost?: number; onUnavailable?: FailMode } = {}): Promise<RateLimitDecision> {
    const cost = options.cost ?? 1;
    assertValidRule(rule);
    assertValidCost(rule, cost);
    try {
      const [allowed, remaining, retryAfterMs] = await this.connection.run('rate-limit consume', (redis) =>
        redis.takeTokens(this.connection.key('rate', key), rule.capacity, rule.refillPerSecond, cost),
      );
      return { allowed: allowed === 1, remaining, retryAfterMs };
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      return (options.onUnavailable ?? this.options.rateLimitFailMode) === 'open'
        ? { allowed: true, remaining: Math.floor(rule.capacity - cost), retryAfterMs: 0 }
        : { allowed: false, remaining: 0, retryAfterMs: Math.max(MIN_UNAVAILABLE_RETRY_AFTER_MS, Math.ceil((cost * 1000) / rule.refillPerSecond)) };
    }
  }

  async block(key: string, rule: TokenBucketRule, untilMs: number, options: { onUnavailable?: FailMode } = {}): Promise<void> {
    assertValidRule(rule);
    assertValidInstant(untilMs);
    // Sent as a duration: the script anchors it to Redis time, so this replica's clock skew does not matter.
    const blockForMs = Math.ceil(untilMs - Date.now());
    try {
      await this.connection.run('rate-limit block', (redis) =>
        redis.blockTokens(this.connection.key('rate', key), rule.capacity, rule.refillPerSecond, blockForMs),
      );
    } catch (error) {
      if (!(error instanceof CacheUnavailableError)) throw error;
      if ((options.onUnavailable ?? this.options.rateLimitFailMode) === 'closed') throw error;
    }
  }
}
