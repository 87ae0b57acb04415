import { duration, int, list } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Webhook delivery worker', 'Options of the WebhookDeliveryWorker role')
export class WebhookDeliveryOptions {
  @Env('WEBHOOK_RETRY_SCHEDULE', list(duration(), { minItems: 1 }), {
    default: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    description: 'Delay before each attempt (8 attempts by default), each with ±10 % jitter',
  })
  readonly retryScheduleMs: number[];

  @Env('WEBHOOK_DELIVERY_TIMEOUT', duration({ min: 100 }), { default: 15_000, description: 'Timeout of one delivery POST' })
  readonly timeoutMs: number;

  @Env('WEBHOOK_DELIVERY_CONCURRENCY', int({ min: 1, max: 1024 }), { default: 64, description: 'Deliveries in flight at once per process' })
  readonly concurrency: number;

  @Env('WEBHOOK_ENDPOINT_CONCURRENCY', int({ min: 1, max: 256 }), { default: 4, description: 'Deliveries in flight at once to one endpoint' })
  readonly perEndpointConcurrency: number;

  @Env('WEBHOOK_RETRY_AFTER_CAP', duration({ min: 0 }), { default: 3_600_000, description: 'Longest Retry-After honoured from a receiver' })
  readonly retryAfterCapMs: number;

  @Env('WEBHOOK_AUTO_DISABLE_AFTER', int({ min: 0 }), { default: 5, description: 'Consecutive dead-lettered deliveries that disable a subscription (0 = never)' })
  readonly autoDisableAfter: number;
}
