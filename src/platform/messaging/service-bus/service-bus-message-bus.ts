import { Logger } from '@nestjs/common';
import type { ServiceBusAdministrationClient, ServiceBusClient, ServiceBusSender } from '@azure/service-bus';
import type { ConsumeOptions, DeadLetteredMessage, MessageConsumer, MessageHandler, OutgoingMessage } from '../bus-message';
import { MessageBus } from '../message-bus';
import { PullConsumer } from '../pull-consumer';
import { ENTITY_DEFAULTS, MessageSource, QUEUES, sourcePath, TOPICS } from '../topology';
import { ServiceBusDeliverySource } from './service-bus-delivery-source';
import { toServiceBusMessage } from './service-bus-mapping';

export interface ServiceBusConnection {
  client: ServiceBusClient;
  administration: ServiceBusAdministrationClient;
}

/** Azure Service Bus: queues for commands, topics with one subscription per consuming role for events. */
export class ServiceBusMessageBus extends MessageBus {
  readonly kind = 'service-bus' as const;
  private readonly logger = new Logger(ServiceBusMessageBus.name);
  private readonly senders = new Map<string, ServiceBusSender>();
  private readonly consumers = new Set<PullConsumer>();
  private depthUnavailableLogged = false;

  constructor(private readonly connection: ServiceBusConnection) {
    super();
  }

  async send(queue: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.sendBatches(queue, messages);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.sendBatches(topic, messages);
  }

  async consume(source: MessageSource, handler: MessageHandler, options: ConsumeOptions): Promise<MessageConsumer> {
    const receiverOptions = { receiveMode: 'peekLock' as const, maxAutoLockRenewalDurationInMs: options.maxLockRenewalMs };
    const receiver =
      'queue' in source
        ? this.connection.client.createReceiver(source.queue, receiverOptions)
        : this.connection.client.createReceiver(source.topic, source.subscription, receiverOptions);
    // Delayed redeliveries are scheduled back onto the entity the message came from.
    const retryTarget = 'queue' in source ? source.queue : source.topic;
    const consumer = new PullConsumer(new ServiceBusDeliverySource(sourcePath(source), receiver, () => this.sender(retryTarget)), handler, options);
    this.consumers.add(consumer);
    return {
      // The receiver stays open: running handlers settle their messages through it.
      stopReceiving: () => consumer.stopReceiving(),
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.close();
        await receiver.close();
      },
    };
  }

  async depth(source: MessageSource): Promise<number | undefined> {
    try {
      const { administration } = this.connection;
      const properties =
        'queue' in source ? await administration.getQueueRuntimeProperties(source.queue) : await administration.getSubscriptionRuntimeProperties(source.topic, source.subscription);
      return properties.activeMessageCount;
    } catch (error) {
      // Needs the Manage right (or a management endpoint at all); the gauge is then left out.
      if (!this.depthUnavailableLogged) this.logger.warn({ msg: 'Queue depth unavailable from Service Bus', err: error });
      this.depthUnavailableLogged = true;
      return undefined;
    }
  }

  async peekDeadLetters(source: MessageSource, max: number): Promise<DeadLetteredMessage[]> {
    const options = { subQueueType: 'deadLetter' as const };
    const receiver =
      'queue' in source ? this.connection.client.createReceiver(source.queue, options) : this.connection.client.createReceiver(source.topic, source.subscription, options);
    try {
      const messages = await receiver.peekMessages(max);
      return messages.map((message) => ({
        messageId: String(message.applicationProperties?.['x-original-message-id'] ?? message.messageId),
        subject: message.subject ?? '',
        body: message.body,
        reason: message.deadLetterReason ?? '',
        description: message.deadLetterErrorDescription,
      }));
    } finally {
      await receiver.close();
    }
  }

  /** Opening a sender link proves the namespace is reachable and our identity may use it. */
  async ping(): Promise<void> {
    await this.sender(QUEUES[0].name).createMessageBatch();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    await Promise.all([...this.senders.values()].map((sender) => sender.close()));
    await this.connection.client.close();
  }

  /** Development only: creates the queues, topics and subscriptions of the topology that are missing. */
  async createMissingEntities(): Promise<string[]> {
    const { administration } = this.connection;
    const entity = {
      maxDeliveryCount: ENTITY_DEFAULTS.maxDeliveryCount,
      lockDuration: `PT${ENTITY_DEFAULTS.lockDurationMs / 1000}S`,
      deadLetteringOnMessageExpiration: ENTITY_DEFAULTS.deadLetteringOnMessageExpiration,
    };
    const duplicateDetection = {
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: `PT${ENTITY_DEFAULTS.duplicateDetectionWindowMs / 60_000}M`,
    };
    const created: string[] = [];
    for (const queue of QUEUES) {
      if (await administration.queueExists(queue.name)) continue;
      await administration.createQueue(queue.name, { ...entity, ...duplicateDetection });
      created.push(queue.name);
    }
    for (const topic of TOPICS) {
      if (!(await administration.topicExists(topic.name))) {
        await administration.createTopic(topic.name, duplicateDetection);
        created.push(topic.name);
      }
      for (const subscription of topic.subscriptions) {
        if (await administration.subscriptionExists(topic.name, subscription.name)) continue;
        await administration.createSubscription(topic.name, subscription.name, entity);
        created.push(sourcePath({ topic: topic.name, subscription: subscription.name }));
      }
    }
    return created;
  }

  private sender(entity: string): ServiceBusSender {
    let sender = this.senders.get(entity);
    if (!sender) {
      sender = this.connection.client.createSender(entity);
      this.senders.set(entity, sender);
    }
    return sender;
  }

  private async sendBatches(entity: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const sender = this.sender(entity);
    const scheduled = messages.filter((message) => message.scheduledEnqueueTime);
    const immediate = messages.filter((message) => !message.scheduledEnqueueTime);
    let batch = await sender.createMessageBatch();
    for (const message of immediate) {
      const mapped = toServiceBusMessage(message);
      if (batch.tryAddMessage(mapped)) continue;
      if (batch.count === 0) throw new Error(`Message ${message.messageId} is larger than a Service Bus batch allows`);
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(mapped)) throw new Error(`Message ${message.messageId} is larger than a Service Bus batch allows`);
    }
    if (batch.count > 0) await sender.sendMessages(batch);
    for (const message of scheduled) await sender.scheduleMessages(toServiceBusMessage(message), message.scheduledEnqueueTime!);
  }
}
