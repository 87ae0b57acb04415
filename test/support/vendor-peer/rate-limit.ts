import { messageResponse, PeerResponse } from '../peer-http';

export interface RateLimitConfig {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export type RateLimitDecision = { allowed: true; headers: Record<string, string> } | { allowed: false; headers: Record<string, string>; retryAfterSeconds: number };

interface Window {
  readonly resetAt: number;
  used: number;
}

/**
 * A fixed-window limit reported with GitHub's documented headers (X-RateLimit-Limit, -Remaining, -Reset in
 * epoch seconds, -Used, -Resource). A window starts with the first request after the previous one ended.
 */
export class RateLimiter {
  private config?: RateLimitConfig;
  private window?: Window;

  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** `null` turns limiting off. A new configuration starts a fresh window. */
  configure(config: RateLimitConfig | null): void {
    if (config && (!(config.limit >= 0) || !(config.windowMs > 0))) throw new Error('A rate limit needs limit >= 0 and windowMs > 0');
    this.config = config ?? undefined;
    this.window = undefined;
  }

  /** Counts one request against the current window. */
  consume(now = Date.now()): RateLimitDecision {
    const window = this.currentWindow(now);
    if (!this.config || !window) return { allowed: true, headers: {} };
    if (window.used >= this.config.limit) {
      return { allowed: false, headers: this.headers(window), retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)) };
    }
    window.used += 1;
    return { allowed: true, headers: this.headers(window) };
  }

  /** The headers as they stand, without counting a request (for answers that do not count, e.g. 401). */
  snapshot(now = Date.now()): Record<string, string> {
    const window = this.currentWindow(now);
    return window ? this.headers(window) : {};
  }

  private currentWindow(now: number): Window | undefined {
    if (!this.config) return undefined;
    if (!this.window || now >= this.window.resetAt) this.window = { resetAt: now + this.config.windowMs, used: 0 };
    return this.window;
  }

  private headers(window: Window): Record<string, string> {
    const limit = this.config?.limit ?? 0;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-reset': String(Math.ceil(window.resetAt / 1000)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-resource': 'core',
    };
  }
}

export function rateLimitExceeded(decision: Extract<RateLimitDecision, { allowed: false }>): PeerResponse {
  return messageResponse(429, 'API rate limit exceeded', { ...decision.headers, 'retry-after': String(decision.retryAfterSeconds) });
}
