import { Injectable } from '@nestjs/common';
import { RateLimiter, TokenBucketRule } from '../../cache/cache.ports';
import { PlatformMetrics } from '../../observability/platform-metrics';
import { FailureClassification, IntegrationError } from '../../resilience/failure-classifier';
import { HeaderSource, parseRetryAfter, readHeader } from '../../resilience/retry-policy';
import type { ConnectionProfile } from '../connections/connection-profile';

/**
 * Two token buckets gate every vendor call: the connection's own budget and the tenant's budget towards
 * the provider endpoint. Both live in the RateLimiter port (Redis when configured), so every replica
 * spends the same budget. A vendor that says it is out of quota (429, or a remaining count of 0 with a
 * reset) empties the connection's bucket until the moment it named, for every replica.
 *
 * Background callers (syncs) spend with a reserve: a share of each bucket they may not take, kept for
 * interactive calls. A call that turns out to cost the vendor nothing (a 304 to a conditional request)
 * gets its tokens back.
 */
export interface SpendOptions {
  /** The share of each bucket's capacity (0–1) that must remain after this call; default 0. */
  reserveShare?: number;
}

@Injectable()
export class RateBudgets {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly metrics: PlatformMetrics,
  ) {}

  async spend(profile: ConnectionProfile, options: SpendOptions = {}): Promise<void> {
    const share = options.reserveShare ?? 0;
    const connection = await this.limiter.consume(profile.connectionBudgetKey, profile.connectionBudget, { reserve: reserveOf(profile.connectionBudget, share) });
    if (!connection.allowed) this.refuse('connection', connection.retryAfterMs);
    const provider = await this.limiter.consume(profile.providerBudgetKey, profile.providerBudget, { reserve: reserveOf(profile.providerBudget, share) });
    if (!provider.allowed) {
      // Nothing was sent: the connection's token goes back.
      await this.limiter.refund(profile.connectionBudgetKey, profile.connectionBudget);
      this.refuse('provider', provider.retryAfterMs);
    }
  }

  /** Returns what `spend` took, for a call the vendor answered without spending its quota (304 Not Modified). */
  async refund(profile: ConnectionProfile): Promise<void> {
    await this.limiter.refund(profile.connectionBudgetKey, profile.connectionBudget);
    await this.limiter.refund(profile.providerBudgetKey, profile.providerBudget);
  }

  /** Reads the vendor's own rate-limit signals off an answer (and its failure, when the vendor's rules call it a rate limit). */
  async observe(profile: ConnectionProfile, status: number, headers: HeaderSource, failure?: FailureClassification): Promise<void> {
    const limited = failure?.category === 'RateLimited';
    const vendorWait = limited ? undefined : profile.vendor.quotaWait?.({ status, headers }, Date.now());
    if (vendorWait !== undefined && vendorWait > 0) {
      await this.limiter.block(profile.connectionBudgetKey, profile.connectionBudget, Date.now() + vendorWait);
      return;
    }
    const exhausted = limited || status === 429 || readHeader(headers, 'x-ratelimit-remaining')?.trim() === '0' || readHeader(headers, 'ratelimit-remaining')?.trim() === '0';
    if (!exhausted) return;
    const waitMs = (limited ? failure.retryAfterMs : undefined) ?? parseRetryAfter(headers);
    if (waitMs === undefined || waitMs <= 0) return;
    await this.limiter.block(profile.connectionBudgetKey, profile.connectionBudget, Date.now() + waitMs);
  }

  private refuse(scope: 'connection' | 'provider', retryAfterMs: number): never {
    this.metrics.rateLimitRejections.inc({ scope });
    throw IntegrationError.rateLimited('rate_budget_exhausted', `The ${scope} rate budget is spent; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
  }
}

/** The tokens a reserve share keeps back, never so many that the call itself could not fit in the bucket. */
function reserveOf(rule: TokenBucketRule, share: number): number {
  if (share <= 0) return 0;
  return Math.max(0, Math.min(rule.capacity * share, rule.capacity - 1));
}
