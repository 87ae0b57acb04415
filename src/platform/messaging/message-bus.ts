import type { AfterCommit, StoreTransaction } from '../persistence/store-transaction';
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
  /**
   * Publishes inside an open transaction of the relational store, when the bus lives in that store (the
   * store bus): the messages exist if and only if the transaction commits, and the returned callback is
   * run after the commit. Undefined for buses outside the store (Service Bus): publish after the commit.
   */
  publishWithin?(transaction: StoreTransaction, topic: string, messages: readonly OutgoingMessage[]): AfterCommit | Promise<AfterCommit>;
  /** `publishWithin` for commands, to a queue. */
  sendWithin?(transaction: StoreTransaction, queue: string, messages: readonly OutgoingMessage[]): AfterCommit | Promise<AfterCommit>;
  abstract consume(source: MessageSource, handler: MessageHandler, options: ConsumeOptions): Promise<MessageConsumer>;
  /** Messages waiting in a queue or subscription (the queue-depth gauge); undefined when the backend cannot tell. */
  abstract depth(source: MessageSource): Promise<number | undefined>;
  /** The oldest dead-lettered messages of a queue or subscription, without removing them (operators, tests). */
  abstract peekDeadLetters(source: MessageSource, max: number): Promise<DeadLetteredMessage[]>;
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
