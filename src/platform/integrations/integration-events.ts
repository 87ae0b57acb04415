import { Injectable, Logger } from '@nestjs/common';
import { buildCloudEvent, CloudEvent } from '../events/cloud-event';
import type { OutgoingMessage } from '../messaging/bus-message';
import { BusPublisher } from '../messaging/bus-publisher';
import type { EventContracts, EventName } from '../messaging/contracts';

/** The platform's own events (DESIGN.md, Domain): each one is a topic of the bus topology. */
export type IntegrationEventType = Exclude<EventName, 'WebhookReceived'>;

export const EVENT_SOURCE = 'urn:integration-platform:governed-access';

/**
 * Publishes domain events as CloudEvents on their topics. The CloudEvent id doubles as the bus message
 * id, so a caller that passes a deterministic id gets duplicate detection for free.
 */
@Injectable()
export class IntegrationEvents {
  private readonly logger = new Logger(IntegrationEvents.name);

  constructor(private readonly publisher: BusPublisher) {}

  async publish<E extends IntegrationEventType>(
    type: E,
    data: EventContracts[E],
    options: { tenantId: string; subject?: string; id?: string },
  ): Promise<CloudEvent<EventContracts[E]>> {
    const event = buildCloudEvent({ type, source: EVENT_SOURCE, data, tenantid: options.tenantId, subject: options.subject, id: options.id });
    await this.publisher.publish(type, event, { tenantId: options.tenantId, messageId: options.id });
    return event;
  }

  /** The event's bus message, stamped now and published later in a batch (see RunJournal). */
  prepare<E extends IntegrationEventType>(
    type: E,
    data: EventContracts[E],
    options: { tenantId: string; subject?: string; id?: string; detectDuplicates?: boolean },
  ): OutgoingMessage<CloudEvent<EventContracts[E]>> {
    // Type, source, tenant and ids are the platform's own: no caller input to validate.
    const event = buildCloudEvent({ type, source: EVENT_SOURCE, data, tenantid: options.tenantId, subject: options.subject, id: options.id, trusted: true });
    return this.publisher.prepareEvent(type, event, { tenantId: options.tenantId, messageId: options.id, detectDuplicates: options.detectDuplicates });
  }

  /**
   * For events that follow a committed change: the change stands whether or not the bus took the
   * event, so a failure is logged (with the event id, for reconciliation) rather than failing the caller.
   */
  async publishAfterCommit<E extends IntegrationEventType>(type: E, data: EventContracts[E], options: { tenantId: string; subject?: string; id?: string }): Promise<void> {
    try {
      await this.publish(type, data, options);
    } catch (error) {
      this.logger.error({ msg: 'Event not published after its change was committed', event: type, subject: options.subject, err: error });
    }
  }
}
