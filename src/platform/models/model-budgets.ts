import { Injectable } from '@nestjs/common';
import { RateLimiter, TokenBucketRule } from '../cache/cache.ports';
import type { ConnectionProfile } from '../integrations/connections/connection-profile';
import { PlatformMetrics } from '../observability/platform-metrics';
import { IntegrationError } from '../resilience/failure-classifier';
import { HeaderSource, readHeader } from '../resilience/retry-policy';
import type { ChatCompletionRequest, Usage } from './model-wire';

/** A model connection's own limits, from its configuration: what the vendor account allows per minute. */
export interface ModelLimits {
  readonly tokensPerMinute?: number;
  readonly requestsPerMinute?: number;
}

/** What a call took from the token budget, settled against the vendor's count when the answer is in. */
export interface TokenReservation {
  readonly tokens: number;
}

const NO_RESERVATION: TokenReservation = { tokens: 0 };

/**
 * Token-per-minute and request-per-minute budgets of model connections, in the shared RateLimiter (Redis
 * when configured, so every replica spends the same budget). A call reserves its estimate (prompt size
 * plus its completion cap) before it is sent and is settled with the vendor's usage after; the vendor's
 * own `x-ratelimit-remaining-*` at zero empties the bucket until its `x-ratelimit-reset-*`.
 */
@Injectable()
export class ModelBudgets {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly metrics: PlatformMetrics,
  ) {}

  /**
   * Takes a request and the estimated tokens; refuses (RateLimited `model_budget_exhausted`) when either
   * budget is spent or the vendor said it is. A connection without limits of its own still honours the
   * vendor's word.
   */
  async reserve(profile: ConnectionProfile, estimatedTokens: number): Promise<TokenReservation> {
    const limits = limitsOf(profile);
    const requests = requestRule(limits) ?? vendorOnlyRule;
    const tokens = tokenRule(limits) ?? vendorOnlyRule;
    const request = await this.limiter.consume(requestKey(profile), requests);
    if (!request.allowed) this.refuse('requests', request.retryAfterMs);
    const cost = Math.max(1, Math.min(estimatedTokens, tokens.capacity));
    const decision = await this.limiter.consume(tokenKey(profile), tokens, { cost });
    if (!decision.allowed) {
      await this.limiter.refund(requestKey(profile), requests);
      this.refuse('tokens', decision.retryAfterMs);
    }
    return tokens === vendorOnlyRule ? NO_RESERVATION : { tokens: cost };
  }

  /** The vendor's count replaces the estimate: the difference goes back, or is taken as well. */
  async settle(profile: ConnectionProfile, reservation: TokenReservation, usage: Usage | undefined): Promise<void> {
    const tokens = tokenRule(limitsOf(profile));
    if (!tokens || reservation.tokens === 0) return;
    const used = usage?.total_tokens ?? reservation.tokens;
    if (used < reservation.tokens) await this.limiter.refund(tokenKey(profile), tokens, reservation.tokens - used);
    // An overrun is taken if the bucket has it; if not, the next calls wait for the refill anyway.
    else if (used > reservation.tokens) await this.limiter.consume(tokenKey(profile), tokens, { cost: Math.min(used - reservation.tokens, tokens.capacity) });
  }

  /** Gives back a reservation for a call the vendor never answered. */
  async release(profile: ConnectionProfile, reservation: TokenReservation): Promise<void> {
    const tokens = tokenRule(limitsOf(profile));
    if (tokens && reservation.tokens > 0) await this.limiter.refund(tokenKey(profile), tokens, reservation.tokens);
  }

  /** The vendor's own account of what is left: at zero, every replica waits for the reset it names. */
  async observe(profile: ConnectionProfile, headers: HeaderSource): Promise<void> {
    const limits = limitsOf(profile);
    const now = Date.now();
    for (const [kind, rule, key] of [
      ['tokens', tokenRule(limits) ?? vendorOnlyRule, tokenKey(profile)],
      ['requests', requestRule(limits) ?? vendorOnlyRule, requestKey(profile)],
    ] as const) {
      if (readHeader(headers, `x-ratelimit-remaining-${kind}`)?.trim() !== '0') continue;
      const resetMs = parseResetDuration(readHeader(headers, `x-ratelimit-reset-${kind}`));
      if (resetMs !== undefined && resetMs > 0) await this.limiter.block(key, rule, now + resetMs);
    }
  }

  private refuse(kind: 'tokens' | 'requests', retryAfterMs: number): never {
    this.metrics.rateLimitRejections.inc({ scope: `model_${kind}` });
    throw IntegrationError.rateLimited('model_budget_exhausted', `The connection's ${kind}-per-minute budget is spent; retry in ${Math.ceil(retryAfterMs / 1000)} s`, {
      retryAfterMs,
    });
  }
}

/**
 * A bucket used only to hold a vendor's block when the connection sets no limit of its own: the block is
 * what matters, and a large capacity refills at once after it.
 */
const vendorOnlyRule: TokenBucketRule = { capacity: 1_000_000_000, refillPerSecond: 1_000_000_000 };

export function limitsOf(profile: ConnectionProfile): ModelLimits {
  const configuration = profile.connection.configuration as Record<string, unknown>;
  return { tokensPerMinute: positive(configuration.tokensPerMinute), requestsPerMinute: positive(configuration.requestsPerMinute) };
}

/** Problems with a model connection's limits, for its descriptor's configuration check. */
export function modelLimitProblems(configuration: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const field of ['tokensPerMinute', 'requestsPerMinute']) {
    const value = configuration[field];
    if (value !== undefined && positive(value) === undefined) problems.push(`configuration.${field} must be a positive integer`);
  }
  return problems;
}

/**
 * A prompt's token count estimated from its characters (about four per token for English text) plus the
 * completion's cap: what the vendor itself counts against a per-minute token limit before answering.
 */
export function estimateTokens(request: Pick<ChatCompletionRequest, 'messages' | 'max_tokens' | 'max_completion_tokens'>): number {
  let characters = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else if (Array.isArray(message.content)) for (const part of message.content) if (typeof part.text === 'string') characters += part.text.length;
  }
  return Math.ceil(characters / 4) + (request.max_completion_tokens ?? request.max_tokens ?? 0);
}

/** `6m0s`, `1s`, `20ms`, `1h2m3.5s` (the vendors' reset format), or plain seconds. */
export function parseResetDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = '';
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(part[1]) * units[part[2]];
    matched += part[0];
  }
  return matched === text && matched !== '' ? Math.ceil(total) : undefined;
}

function tokenRule(limits: ModelLimits): TokenBucketRule | undefined {
  return limits.tokensPerMinute ? { capacity: limits.tokensPerMinute, refillPerSecond: limits.tokensPerMinute / 60 } : undefined;
}

function requestRule(limits: ModelLimits): TokenBucketRule | undefined {
  return limits.requestsPerMinute ? { capacity: limits.requestsPerMinute, refillPerSecond: limits.requestsPerMinute / 60 } : undefined;
}

function tokenKey(profile: ConnectionProfile): string {
  return `budget:model-tokens:${profile.connection.id}`;
}

function requestKey(profile: ConnectionProfile): string {
  return `budget:model-requests:${profile.connection.id}`;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
