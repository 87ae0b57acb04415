import { Logger } from '@nestjs/common';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusSender } from '@azure/service-bus';
import type { MessageSettlement, ReceivedMessage } from '../bus-message';
import type { Delivery, DeliverySource } from '../pull-consumer';
import { fromServiceBusMessage, toServiceBusMessage } from './service-bus-mapping';

/** How long one receive waits for the first message before the consume loop asks again. */
const RECEIVE_WAIT_MS = 5_000;

/**
 * One queue or subscription on Azure Service Bus, received in peek-lock mode. Locks are renewed by
 * the SDK (maxAutoLockRenewalDurationInMs); `renew` has nothing to do. Service Bus cannot abandon
 * with a delay, so a delayed abandon schedules a copy for later and completes the original; the copy
 * carries the original id and delivery count in application properties.
 */
export class ServiceBusDeliverySource implements DeliverySource {
  private readonly logger = new Logger(ServiceBusDeliverySource.name);

  constructor(
    readonly entity: string,
    private readonly receiver: ServiceBusReceiver,
    private readonly retrySender: () => ServiceBusSender,
  ) {}

  async receive(max: number, signal: AbortSignal): Promise<Delivery[]> {
    let messages: ServiceBusReceivedMessage[];
    try {
      messages = await this.receiver.receiveMessages(max, { maxWaitTimeInMs: RECEIVE_WAIT_MS, abortSignal: signal });
    } catch (error) {
      if (signal.aborted) return [];
      throw error;
    }
    return messages.map((message) => this.delivery(message));
  }

  async renew(): Promise<void> {}

  async release(unstarted: readonly Delivery[]): Promise<void> {
    await Promise.all(unstarted.map((delivery) => delivery.settlement.abandon()));
  }

  private delivery(raw: ServiceBusReceivedMessage): Delivery {
    let message: ReceivedMessage | { malformed: Error };
    try {
      message = fromServiceBusMessage(raw);
    } catch (error) {
      message = { malformed: error instanceof Error ? error : new Error(String(error)) };
    }
    let settled = false;
    const once = async (settle: () => Promise<void>) => {
      if (settled) return;
      settled = true;
      try {
        await settle();
      } catch (error) {
        // At-least-once: a lock that expired means the message is (or will be) delivered again.
        if ((error as { code?: string }).code !== 'MessageLockLost') throw error;
        this.logger.warn({ msg: 'Lock lost before settlement; the message will be redelivered', entity: this.entity, messageId: raw.messageId });
      }
    };
    const settlement: MessageSettlement = {
      complete: () => once(() => this.receiver.completeMessage(raw)),
      abandon: (options) =>
        once(async () => {
          if (!options?.delayMs || 'malformed' in message) return this.receiver.abandonMessage(raw);
          await this.retrySender().scheduleMessages(toServiceBusMessage(message, { redelivery: true }), new Date(Date.now() + options.delayMs));
          await this.receiver.completeMessage(raw);
        }),
      deadLetter: (reason, description) => once(() => this.receiver.deadLetterMessage(raw, { deadLetterReason: reason, deadLetterErrorDescription: description ?? reason })),
    };
    return { message, settlement, receivedAt: Date.now() };
  }
}
