import { bool, duration, int, str } from '../config/codecs';
import { CrossFieldValidation, Env, OptionsProblem, OptionsSection } from '../config/options';

@OptionsSection('Bus', 'Commands and events: Azure Service Bus when configured, otherwise queue tables in the relational store')
export class BusOptions implements CrossFieldValidation {
  @Env('SERVICEBUS_CONNECTION_STRING', str({ pattern: /^Endpoint=sb:\/\//i, patternHint: 'a Service Bus connection string (Endpoint=sb://...)' }), {
    secret: true,
    description: 'Azure Service Bus connection string; unset (and no namespace) = the store-backed bus',
  })
  readonly connectionString?: string;

  @Env('SERVICEBUS_NAMESPACE', str({ pattern: /^[a-z0-9.-]+$/i, patternHint: 'a host name such as my-ns.servicebus.windows.net' }), {
    description: 'Service Bus namespace host; authenticates with DefaultAzureCredential (workload identity)',
  })
  readonly namespace?: string;

  @Env('SERVICEBUS_CREATE_ENTITIES', bool(), {
    default: false,
    description: 'Development only: create missing queues, topics and subscriptions at boot (production topology comes from deployment code)',
  })
  readonly createEntities: boolean;

  @Env('BUS_CONCURRENCY', int({ min: 1, max: 1024 }), { default: 8, description: 'Default handlers running at once per consumer' })
  readonly defaultConcurrency: number;

  @Env('BUS_PREFETCH', int({ min: 0, max: 4096 }), { default: 16, description: 'Default messages locked ahead of the handlers per consumer' })
  readonly defaultPrefetch: number;

  @Env('BUS_LOCK_DURATION', duration({ min: 1_000, max: 300_000 }), {
    default: 60_000,
    description: 'Store bus: lease of a received message before it is redelivered (Service Bus: the entity setting)',
  })
  readonly lockDurationMs: number;

  @Env('BUS_MAX_LOCK_RENEWAL', duration({ min: 0 }), { default: 600_000, description: 'How long locks are renewed for one long-running handler' })
  readonly maxLockRenewalMs: number;

  @Env('BUS_MAX_DELIVERY_COUNT', int({ min: 1, max: 2000 }), {
    default: 10,
    description: 'Store bus: deliveries before a message is dead-lettered (Service Bus: the entity setting)',
  })
  readonly maxDeliveryCount: number;

  @Env('BUS_RETRY_BASE_DELAY', duration({ min: 0 }), { default: 1_000, description: 'First backoff after a handler fails transiently (doubles per delivery)' })
  readonly retryBaseDelayMs: number;

  @Env('BUS_RETRY_MAX_DELAY', duration({ min: 0 }), { default: 300_000, description: 'Longest backoff between deliveries of one message' })
  readonly retryMaxDelayMs: number;

  @Env('BUS_POLL_INTERVAL', duration({ min: 10, max: 60_000 }), {
    default: 1_000,
    description: 'Store bus: how often idle consumers look for work when no notification arrives',
  })
  readonly pollIntervalMs: number;

  @Env('BUS_DUPLICATE_DETECTION_WINDOW', duration({ min: 0 }), {
    default: 600_000,
    description: 'Store bus: a repeated messageId within this window is dropped (Service Bus: the entity setting)',
  })
  readonly duplicateDetectionWindowMs: number;

  get kind(): 'service-bus' | 'store' {
    return this.connectionString || this.namespace ? 'service-bus' : 'store';
  }

  validate(): OptionsProblem[] {
    if (this.connectionString && this.namespace) {
      return [{ variable: 'SERVICEBUS_NAMESPACE', message: 'must not be set together with SERVICEBUS_CONNECTION_STRING (choose one)' }];
    }
    return [];
  }
}
