import { Injectable, Logger } from '@nestjs/common';
import type { CloudEvent } from '../events/cloud-event';
import { IntegrationError } from '../resilience/failure-classifier';
import type { MessageChannel, MessageFailureData, MessageStatus } from './message-contracts';
import { MessageRecords } from './message-records';

/** What a provider's delivery report (a status callback, an Event Grid event) says about one message. */
export interface DeliveryReport {
  providerMessageId: string;
  status: Exclude<MessageStatus, 'Queued'>;
  /** The provider's own word for it (`undelivered`, `Suppressed`). */
  detail?: string;
  failure?: MessageFailureData;
}

/** A provider's reading of its verified webhooks (the `WebhookReceived` events of its connections): the reports they carry for this channel. */
export interface DeliveryReportReader {
  readonly providerId: string;
  reports(event: CloudEvent): DeliveryReport[];
}

/** A report can overtake the send's own commit (the provider calls back before its answer is recorded): it is retried this many deliveries. */
const DELIVERIES_WAITING_FOR_THE_SEND = 4;

/**
 * Delivery reports moving messages forward. The report arrived verified through the webhook gateway; the
 * message is found by the provider's id on the connection that received the report, so a report can only
 * move the tenant's own messages of that connection.
 */
@Injectable()
export class DeliveryReports {
  private readonly logger = new Logger(DeliveryReports.name);

  constructor(private readonly records: MessageRecords) {}

  /** Throws (for the bus to redeliver) while a report names a message whose send is not recorded yet. */
  async apply(event: CloudEvent, channel: MessageChannel, readers: readonly DeliveryReportReader[], deliveryCount: number): Promise<void> {
    const reader = readers.find((candidate) => candidate.providerId === event.provider);
    const connectionId = typeof event.connectionid === 'string' ? event.connectionid : undefined;
    if (!reader || !connectionId) return;
    const waiting: string[] = [];
    for (const report of reader.reports(event)) {
      const applied = await this.records.applyReport(event.tenantid, connectionId, report.providerMessageId, {
        status: report.status,
        providerId: reader.providerId,
        detail: report.detail,
        failure: report.failure,
      });
      if (!applied) waiting.push(report.providerMessageId);
    }
    if (waiting.length === 0) return;
    if (deliveryCount < DELIVERIES_WAITING_FOR_THE_SEND) {
      throw IntegrationError.transient('message_not_recorded_yet', `A ${channel} delivery report names ${waiting.length} message(s) not recorded as sent yet`);
    }
    // Not ours (another system sends through the same account), or a send that never recorded its id.
    this.logger.warn({ msg: 'Delivery report for no known message dropped', channel, connectionId, providerMessageIds: waiting.slice(0, 10) });
  }
}
