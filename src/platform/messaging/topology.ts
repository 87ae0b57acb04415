import type { CommandName, EventName } from './contracts';

/**
 * The one source of truth for bus entities: commands go to queues (one consuming role each), events go
 * to topics with one subscription per consuming role. Deployment code (Helm/KEDA, Pulumi, the compose
 * emulator config) and the store-backed bus derive their entities from this table, so names cannot drift.
 */
export interface QueueDefinition {
  readonly kind: 'queue';
  readonly name: string;
  /** The command carried, also the handler pattern: `@MessagePattern('DeliverWebhook')`. */
  readonly command: CommandName;
  readonly consumer: string;
}

export interface SubscriptionDefinition {
  /** Named after the consuming role (Service Bus allows 50 characters). */
  readonly name: string;
  readonly consumer: string;
}

export interface TopicDefinition {
  readonly kind: 'topic';
  readonly name: string;
  /** The event carried, also the handler pattern: `@EventPattern('IntegrationFailed')`. */
  readonly event: EventName;
  readonly subscriptions: readonly SubscriptionDefinition[];
}

/** Entity settings shared by every queue and subscription (Service Bus entity properties). */
export const ENTITY_DEFAULTS = {
  maxDeliveryCount: 10,
  lockDurationMs: 60_000,
  duplicateDetectionWindowMs: 10 * 60_000,
  deadLetteringOnMessageExpiration: true,
} as const;

const queue = (name: string, command: CommandName, consumer: string): QueueDefinition => ({ kind: 'queue', name, command, consumer });
const topic = (name: string, event: EventName, consumers: readonly string[]): TopicDefinition => ({
  kind: 'topic',
  name,
  event,
  subscriptions: consumers.map((consumer) => ({ name: consumer, consumer })),
});

/** WebhookGatewayService subscribes to every platform event: it fans events out to tenants' webhook subscriptions. */
const FAN_OUT = 'WebhookGatewayService';

export const QUEUES: readonly QueueDefinition[] = [
  queue('deliver-webhook', 'DeliverWebhook', 'WebhookDeliveryWorker'),
  queue('ingest-webhook', 'IngestWebhook', 'WebhookGatewayService'),
  queue('execute-integration-run', 'ExecuteIntegrationRun', 'VendorApiClientRegistryService'),
  queue('retry-integration-run', 'RetryIntegrationRun', 'VendorApiClientRegistryService'),
  queue('rotate-credential', 'RotateCredential', 'CredentialRotationWorker'),
  queue('send-email', 'SendEmail', 'EmailIntegrationService'),
  queue('send-sms', 'SendSms', 'SmsIntegrationService'),
  queue('run-sync', 'RunSync', 'IntegrationSyncWorker'),
];

export const TOPICS: readonly TopicDefinition[] = [
  topic('integration-failed', 'IntegrationFailed', ['IntegrationRetryWorker', FAN_OUT]),
  topic('integration-run-completed', 'IntegrationRunCompleted', [FAN_OUT]),
  topic('integration-connection-established', 'IntegrationConnectionEstablished', ['ExternalApiHealthWorker', FAN_OUT]),
  topic('integration-connection-retired', 'IntegrationConnectionRetired', ['ExternalApiHealthWorker', FAN_OUT]),
  topic('integration-provider-registered', 'IntegrationProviderRegistered', [FAN_OUT]),
  topic('external-api-client-registered', 'ExternalApiClientRegistered', [FAN_OUT]),
  topic('webhook-received', 'WebhookReceived', [FAN_OUT, 'EmailIntegrationService', 'SmsIntegrationService']),
  topic('webhook-delivered', 'WebhookDelivered', [FAN_OUT]),
  topic('credential-rotated', 'CredentialRotated', [FAN_OUT]),
  topic('external-api-health-changed', 'ExternalApiHealthChanged', [FAN_OUT]),
  topic('external-records-changed', 'ExternalRecordsChanged', [FAN_OUT]),
  topic('message-status-changed', 'MessageStatusChanged', [FAN_OUT]),
];

/** Where a consumer reads from: a queue, or one subscription of a topic. */
export type MessageSource = { readonly queue: string } | { readonly topic: string; readonly subscription: string };

/** The path Service Bus uses for a source (`queue`, or `topic/Subscriptions/name`); also the store bus's entity key. */
export function sourcePath(source: MessageSource): string {
  return 'queue' in source ? source.queue : `${source.topic}/Subscriptions/${source.subscription}`;
}

export type Route = { readonly kind: 'queue'; readonly definition: QueueDefinition } | { readonly kind: 'topic'; readonly definition: TopicDefinition };

/** Resolves a command or event name to the entity that carries it. */
export function routeFor(pattern: string): Route | undefined {
  const queueDefinition = QUEUES.find((candidate) => candidate.command === pattern);
  if (queueDefinition) return { kind: 'queue', definition: queueDefinition };
  const topicDefinition = TOPICS.find((candidate) => candidate.event === pattern);
  return topicDefinition ? { kind: 'topic', definition: topicDefinition } : undefined;
}

export function topicByName(name: string): TopicDefinition | undefined {
  return TOPICS.find((candidate) => candidate.name === name);
}

/** The queues and topic subscriptions a role consumes (what it must be allowed to receive from, and scale on). */
export function sourcesConsumedBy(role: string): MessageSource[] {
  return [
    ...QUEUES.filter((queue) => queue.consumer === role).map((queue) => ({ queue: queue.name })),
    ...TOPICS.flatMap((topic) =>
      topic.subscriptions.filter((subscription) => subscription.consumer === role).map((subscription) => ({ topic: topic.name, subscription: subscription.name })),
    ),
  ];
}

/** Every source that exists: the queues and every subscription of every topic. */
export function allSources(): MessageSource[] {
  return [
    ...QUEUES.map((definition) => ({ queue: definition.name })),
    ...TOPICS.flatMap((definition) => definition.subscriptions.map((subscription) => ({ topic: definition.name, subscription: subscription.name }))),
  ];
}

/** Every source path that exists (queues and subscriptions): what the store bus and the emulator config declare. */
export function allSourcePaths(): string[] {
  return allSources().map(sourcePath);
}
