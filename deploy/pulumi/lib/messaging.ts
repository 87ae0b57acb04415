import * as servicebus from '@pulumi/azure-native/servicebus';
import * as pulumi from '@pulumi/pulumi';
import { ENTITY_DEFAULTS, MessageSource, QUEUES, sourcePath, TOPICS } from '../../../src/platform/messaging/topology';
import { isoDuration } from './naming';
import type { PlatformSettings } from './settings';

export interface Messaging {
  readonly namespace: servicebus.Namespace;
  /** `<namespace>.servicebus.windows.net`: the app's SERVICEBUS_NAMESPACE. */
  readonly host: pulumi.Output<string>;
  readonly queues: ReadonlyMap<string, servicebus.Queue>;
  readonly topics: ReadonlyMap<string, servicebus.Topic>;
  /** Keyed by source path: `<topic>/Subscriptions/<subscription>`. */
  readonly subscriptions: ReadonlyMap<string, servicebus.Subscription>;
}

/** What a queue and a topic subscription share: where a consumer reads, so where delivery limits apply. */
const CONSUMED_ENTITY = {
  maxDeliveryCount: ENTITY_DEFAULTS.maxDeliveryCount,
  lockDuration: isoDuration(ENTITY_DEFAULTS.lockDurationMs),
  deadLetteringOnMessageExpiration: ENTITY_DEFAULTS.deadLetteringOnMessageExpiration,
};

/** Duplicate detection happens where messages enter: on queues and topics (subscriptions have none of their own). */
const DUPLICATE_DETECTION = {
  requiresDuplicateDetection: true,
  duplicateDetectionHistoryTimeWindow: isoDuration(ENTITY_DEFAULTS.duplicateDetectionWindowMs),
};

/** The Service Bus namespace with every queue, topic and subscription of the topology, and nothing else. */
export function createMessaging(settings: PlatformSettings, resourceGroupName: pulumi.Input<string>): Messaging {
  const { sku, capacity } = settings.serviceBus;
  const namespace = new servicebus.Namespace(`${settings.namePrefix}-bus`, {
    resourceGroupName,
    location: settings.location,
    sku: { name: sku, tier: sku, capacity },
    minimumTlsVersion: '1.2',
    // Every client authenticates with Microsoft Entra (workload identity); no SAS keys to leak or rotate.
    disableLocalAuth: true,
    tags: settings.tags,
  });
  const entityArgs = { resourceGroupName, namespaceName: namespace.name };

  const queues = new Map(
    QUEUES.map((queue) => [queue.name, new servicebus.Queue(`queue-${queue.name}`, { ...entityArgs, queueName: queue.name, ...CONSUMED_ENTITY, ...DUPLICATE_DETECTION })]),
  );
  const topics = new Map(TOPICS.map((topic) => [topic.name, new servicebus.Topic(`topic-${topic.name}`, { ...entityArgs, topicName: topic.name, ...DUPLICATE_DETECTION })]));
  const subscriptions = new Map(
    TOPICS.flatMap((topic) =>
      topic.subscriptions.map((subscription) => [
        sourcePath({ topic: topic.name, subscription: subscription.name }),
        new servicebus.Subscription(`subscription-${topic.name}--${subscription.name}`, {
          ...entityArgs,
          topicName: topics.get(topic.name)!.name,
          subscriptionName: subscription.name,
          ...CONSUMED_ENTITY,
        }),
      ]),
    ),
  );

  return { namespace, host: namespace.serviceBusEndpoint.apply((endpoint) => new URL(endpoint).hostname), queues, topics, subscriptions };
}

/** The Azure resource id of the entity a source reads from: a role assignment scope. */
export function entityId(messaging: Messaging, source: MessageSource): pulumi.Output<string> {
  const entity = 'queue' in source ? messaging.queues.get(source.queue) : messaging.subscriptions.get(sourcePath(source));
  if (!entity) throw new Error(`The topology has no entity ${sourcePath(source)}`);
  return entity.id;
}
