import type { ConsumeOptions, DeadLetteredMessage, MessageConsumer, MessageHandler, OutgoingMessage } from './bus-message';
import type { MessageSource } from './topology';

/**
 * The messaging port. Production: Azure Service Bus. Embedded default: queue tables in the relational
 * store. Adapters deliver peek-locked messages to the handler with a settlement; the settlement policy
 * (complete, abandon with backoff, dead-letter) lives once in MessageDispatcher, not in adapters.
 */
export abstract class MessageBus {
  abstract readonly kind: 'service-bus' | 'store';
  abstract send(queue: string, messages: readonly OutgoingMessage[]): Promise<void>;
  abstract publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  abstract consume(source: MessageSource, handler: MessageHandler, options: ConsumeOptions): Promise<MessageConsumer>;
  /** Messages waiting in a queue or subscription (the queue-depth gauge); undefined when the backend cannot tell. */
  abstract depth(source: MessageSource): Promise<number | undefined>;
  /** The oldest dead-lettered messages of a queue or subscription, without removing them (operators, tests). */
  abstract peekDeadLetters(source: MessageSource, max: number): Promise<DeadLetteredMessage[]>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
