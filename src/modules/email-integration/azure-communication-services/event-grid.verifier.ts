import { createHash } from 'node:crypto';
import {
  constantTimeEqual,
  HandshakeReply,
  InboundWebhook,
  isoDate,
  isRecord,
  MalformedWebhookError,
  parseJsonBody,
  readHeader,
  requireSecrets,
  sha256,
  stringField,
  VerificationContext,
  VerifiedWebhook,
  WebhookVerificationError,
  WebhookVerifier,
} from '../../../platform/webhooks/verification/webhook-verifier';

const VALIDATION_EVENT = 'Microsoft.EventGrid.SubscriptionValidationEvent';
/** The query parameter of the endpoint URL configured in the Event Grid subscription that carries the connection's webhook secret. */
export const EVENT_GRID_SECRET_PARAMETER = 'code';

/**
 * Event Grid webhook deliveries (https://learn.microsoft.com/azure/event-grid/webhook-event-delivery).
 * Event Grid signs nothing: a delivery is authenticated by the connection's webhook secret, carried in
 * the subscription's endpoint URL (`?code=<secret>`) or a delivery header (`x-webhook-secret`, or
 * `Authorization: Bearer <secret>`). Answers the Event Grid schema's SubscriptionValidation handshake and
 * the CloudEvents abuse-protection OPTIONS request, both only with the right secret.
 */
export class EventGridVerifier implements WebhookVerifier {
  readonly name = 'azure-event-grid';

  signatureHeaders(): readonly string[] {
    return ['x-webhook-secret', 'authorization'];
  }

  handshake(webhook: InboundWebhook, context: VerificationContext): HandshakeReply | undefined {
    if (readHeader(webhook, 'aeg-event-type') !== 'SubscriptionValidation') return undefined;
    authenticate(webhook, context);
    const events = eventsOf(parseJsonBody(webhook.rawBody));
    const validation = events.find((event) => stringField(event, 'eventType') === VALIDATION_EVENT);
    const code = stringField(isRecord(validation) ? validation.data : undefined, 'validationCode');
    if (!code) throw new MalformedWebhookError(`A SubscriptionValidation delivery must carry a ${VALIDATION_EVENT} with data.validationCode`);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: { validationResponse: code } };
  }

  preflight(webhook: InboundWebhook, context: VerificationContext): HandshakeReply | undefined {
    const origin = readHeader(webhook, 'webhook-request-origin');
    if (!origin) return undefined;
    authenticate(webhook, context);
    return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*' } };
  }

  verify(webhook: InboundWebhook, context: VerificationContext): VerifiedWebhook {
    authenticate(webhook, context);
    const events = eventsOf(parseJsonBody(webhook.rawBody));
    const ids = events.map((event) => {
      const id = stringField(event, 'id');
      if (!id) throw new MalformedWebhookError('Every event must have an "id"');
      return id;
    });
    const types = events.map((event) => stringField(event, 'eventType') ?? stringField(event, 'type'));
    if (types.some((type) => type === undefined)) throw new MalformedWebhookError('Every event must have an "eventType" (Event Grid schema) or a "type" (CloudEvents)');
    const single = events.length === 1;
    const occurredAt = single ? isoDate(stringField(events[0], 'eventTime') ?? stringField(events[0], 'time')) : undefined;
    return {
      deliveryId: single ? ids[0] : `batch-${createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 32)}`,
      eventType: single ? types[0]! : 'batch',
      payload: events,
      ...(occurredAt ? { occurredAt } : {}),
    };
  }
}

/** The events of a delivery: an Event Grid schema array, a CloudEvents batch, or one CloudEvent. */
function eventsOf(body: unknown): Record<string, unknown>[] {
  const events = Array.isArray(body) ? body : [body];
  if (events.length === 0 || !events.every(isRecord)) throw new MalformedWebhookError('The body must be an event or a non-empty array of events');
  return events;
}

function authenticate(webhook: InboundWebhook, context: VerificationContext): void {
  const secrets = requireSecrets(context);
  const presented = presentedSecret(webhook);
  if (presented === undefined)
    throw new WebhookVerificationError('missing_signature', `The delivery carries no secret (?${EVENT_GRID_SECRET_PARAMETER}= on the endpoint URL, or x-webhook-secret)`);
  // Digests have one length, so every secret is compared in constant time whatever the presented one's length.
  const received = sha256(presented);
  let matched = false;
  for (const secret of secrets) matched = constantTimeEqual(sha256(secret), received) || matched;
  if (!matched) throw new WebhookVerificationError('bad_signature', 'The delivery secret does not match');
}

function presentedSecret(webhook: InboundWebhook): string | undefined {
  const header = readHeader(webhook, 'x-webhook-secret');
  if (header) return header;
  const bearer = /^Bearer\s+(.+)$/i.exec(readHeader(webhook, 'authorization') ?? '')?.[1];
  if (bearer) return bearer;
  const query = webhook.url.split('#')[0].split('?')[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get(EVENT_GRID_SECRET_PARAMETER) ?? undefined);
}
