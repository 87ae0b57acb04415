/** The values of OpenAI's `x-ratelimit-*` headers; tests change them to stage a spent budget. */
export interface OpenAIRateLimit {
  limitRequests: number;
  limitTokens: number;
  remainingRequests: number;
  remainingTokens: number;
  /** OpenAI's duration format: `1s`, `6m0s`, `20ms`. */
  resetRequests: string;
  resetTokens: string;
}

export function defaultRateLimit(): OpenAIRateLimit {
  return { limitRequests: 10_000, limitTokens: 200_000, remainingRequests: 9_999, remainingTokens: 199_980, resetRequests: '6ms', resetTokens: '6m0s' };
}

export function rateLimitHeaders(limit: OpenAIRateLimit): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(limit.limitRequests),
    'x-ratelimit-limit-tokens': String(limit.limitTokens),
    'x-ratelimit-remaining-requests': String(limit.remainingRequests),
    'x-ratelimit-remaining-tokens': String(limit.remainingTokens),
    'x-ratelimit-reset-requests': limit.resetRequests,
    'x-ratelimit-reset-tokens': limit.resetTokens,
  };
}

/** The headers of a 429: the budget spent. */
export function exhaustedRateLimitHeaders(limit: OpenAIRateLimit): Record<string, string> {
  return rateLimitHeaders({ ...limit, remainingTokens: 0, remainingRequests: 0, resetTokens: '6ms', resetRequests: '1s' });
}
