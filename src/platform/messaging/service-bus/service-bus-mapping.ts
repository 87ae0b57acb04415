import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { OutgoingMessage, ReceivedMessage } from '../bus-message';

/** Envelope fields with no Service Bus property of their own travel as application properties. */
const TENANT = 'tenantId';
const TRACEPARENT = 'traceparent';
/** Set on a copy scheduled by a delayed abandon: the original id and deliveries so far. */
const ORIGINAL_MESSAGE_ID = 'x-original-message-id';
const PRIOR_DELIVERIES = 'x-prior-delivery-count';

export function toServiceBusMessage(message: OutgoingMessage | ReceivedMessage, options: { redelivery?: boolean } = {}): ServiceBusMessage {
  const properties: Record<string, string | number | boolean> = { ...message.applicationProperties, [TENANT]: message.tenantId };
  if (message.traceparent) properties[TRACEPARENT] = message.traceparent;
  let messageId = message.messageId;
  if (options.redelivery && 'deliveryCount' in message) {
    // A fresh id, or duplicate detection on the entity would drop the copy as a repeat of the original.
    messageId = `${message.messageId}#${message.deliveryCount}`;
    properties[ORIGINAL_MESSAGE_ID] = message.messageId;
    properties[PRIOR_DELIVERIES] = message.deliveryCount;
  }
  return {
    body: message.body,
    messageId,
    correlationId: message.correlationId,
    subject: message.subject,
    contentType: message.contentType ?? 'application/json',
    applicationProperties: properties,
    scheduledEnqueueTimeUtc: 'scheduledEnqueueTime' in message ? message.scheduledEnqueueTime : undefined,
  };
}

export function fromServiceBusMessage(raw: ServiceBusReceivedMessage): ReceivedMessage {
  const {
    [TENANT]: tenantId,
    [TRACEPARENT]: traceparent,
    [ORIGINAL_MESSAGE_ID]: originalId,
    [PRIOR_DELIVERIES]: prior,
    ...rest
  } = (raw.applicationProperties ?? {}) as Record<string, string | number | boolean>;
  if (typeof tenantId !== 'string' || tenantId.length === 0) throw new Error('The message carries no tenantId application property');
  if (!raw.subject) throw new Error('The message carries no subject');
  return {
    messageId: typeof originalId === 'string' ? originalId : String(raw.messageId),
    correlationId: raw.correlationId === undefined ? undefined : String(raw.correlationId),
    subject: raw.subject,
    tenantId,
    traceparent: typeof traceparent === 'string' ? traceparent : undefined,
    contentType: raw.contentType,
    applicationProperties: Object.keys(rest).length > 0 ? rest : undefined,
    body: raw.body,
    // The AMQP header counts prior attempts (0 on the first delivery); ours counts deliveries, from 1.
    deliveryCount: (raw.deliveryCount ?? 0) + 1 + (typeof prior === 'number' ? prior : 0),
    enqueuedAt: raw.enqueuedTimeUtc ?? new Date(),
  };
}
