import type { FailureCategory } from '../runs/entities/integration-failure.entity';

/** `DeliverWebhook`: make attempt `attempt` (1-based) of attempt series `series` of one outbound delivery. The tenant travels in the envelope. */
export interface DeliverWebhookCommand {
  deliveryId: string;
  series: number;
  attempt: number;
}

/** The bus message id of the scheduled attempt: the bus drops a second send of the same attempt (duplicate detection). */
export function deliverMessageId(command: DeliverWebhookCommand): string {
  return `deliver:${command.deliveryId}:${command.series}:${command.attempt}`;
}

/** Payload of `WebhookDelivered`. */
export interface WebhookDeliveredData {
  deliveryId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** Attempts made in all, every series included. */
  attempts: number;
  statusCode: number;
}

/**
 * Payload of `IntegrationFailed` for a delivery given up (or a subscription disabled): `purpose:
 * 'delivery'` and no run id, so the IntegrationRetryWorker (which retries runs) leaves it alone.
 */
export interface WebhookDeliveryFailedData {
  deliveryId?: string;
  subscriptionId: string;
  eventId?: string;
  eventType?: string;
  attempt?: number;
  category: FailureCategory;
  code: string;
  retryable: false;
  mode: 'async';
  purpose: 'delivery';
  status?: number;
  consecutiveDeadLetters?: number;
}

export function isDeliverWebhookCommand(value: unknown): value is DeliverWebhookCommand {
  const command = value as Partial<DeliverWebhookCommand> | null;
  return (
    typeof command === 'object' &&
    command !== null &&
    typeof command.deliveryId === 'string' &&
    command.deliveryId.length > 0 &&
    command.deliveryId.length <= 64 &&
    Number.isInteger(command.series) &&
    command.series! >= 1 &&
    Number.isInteger(command.attempt) &&
    command.attempt! >= 1
  );
}
