import { duration, int } from '../config/codecs';
import { CrossFieldValidation, Env, OptionsProblem, OptionsSection } from '../config/options';

/**
 * Circuit breakers (one per provider endpoint, per process) and the default backoff of governed
 * vendor calls. Webhook deliveries keep their own schedule and cap (WEBHOOK_RETRY_SCHEDULE,
 * WEBHOOK_RETRY_AFTER_CAP); the attempt count of a run is RETRY_MAX_ATTEMPTS (retry worker).
 */
@OptionsSection('Resilience', 'Circuit breakers per provider endpoint and the default retry backoff of governed vendor calls')
export class ResilienceOptions implements CrossFieldValidation {
  @Env('BREAKER_ERROR_THRESHOLD', int({ min: 1, max: 100 }), {
    default: 50,
    description: 'A breaker opens when more than this percentage of calls in the rolling window failed transiently',
  })
  readonly errorThresholdPercentage: number;

  @Env('BREAKER_VOLUME_THRESHOLD', int({ min: 1, max: 10_000 }), {
    default: 10,
    description: 'Calls in the rolling window before a breaker may open at all',
  })
  readonly volumeThreshold: number;

  @Env('BREAKER_RESET_TIMEOUT', duration({ min: 100 }), {
    default: 30_000,
    description: 'How long an open breaker rejects calls before letting one trial call through (half-open)',
  })
  readonly resetTimeoutMs: number;

  @Env('BREAKER_ROLLING_WINDOW', duration({ min: 1_000 }), { default: 60_000, description: 'Window over which a breaker counts failures' })
  readonly rollingWindowMs: number;

  @Env('BREAKER_IDLE_EVICTION', duration({ min: 1_000 }), {
    default: 3_600_000,
    description: 'A closed breaker unused this long is dropped (bounded memory with many endpoints)',
  })
  readonly idleEvictionMs: number;

  @Env('RETRY_BASE_DELAY', duration({ min: 0 }), {
    default: 1_000,
    description: 'Governed vendor calls: backoff before the second attempt (doubles per attempt, full jitter) when the connection has no RetryPolicy',
  })
  readonly retryBaseDelayMs: number;

  @Env('RETRY_MAX_DELAY', duration({ min: 0 }), {
    default: 300_000,
    description: 'Governed vendor calls: longest computed backoff between attempts',
  })
  readonly retryMaxDelayMs: number;

  @Env('RETRY_AFTER_CAP', duration({ min: 0 }), {
    default: 3_600_000,
    description: 'Governed vendor calls: longest Retry-After (or rate-limit reset) honoured from a vendor API (receivers of webhooks: WEBHOOK_RETRY_AFTER_CAP)',
  })
  readonly retryAfterCapMs: number;

  validate(): OptionsProblem[] {
    if (this.retryMaxDelayMs < this.retryBaseDelayMs) {
      return [{ variable: 'RETRY_MAX_DELAY', message: 'must be at least RETRY_BASE_DELAY' }];
    }
    return [];
  }
}
