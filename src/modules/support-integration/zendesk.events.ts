import { namespacedEventType } from '../../platform/vendors/event-types';
import type { NormalisedEvent } from '../../platform/vendors/vendor-descriptor';
import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';

export const ZENDESK_EVENT_NAMESPACE = 'com.zendesk';

/** Zendesk's `subject` resource kinds and the collections they are named by here. */
const COLLECTIONS: Readonly<Record<string, string>> = { ticket: 'tickets', user: 'users', organization: 'organizations', group: 'groups', article: 'articles' };

interface Payload {
  subject?: unknown;
  detail?: { id?: unknown };
  ticket?: { id?: unknown };
  ticket_id?: unknown;
}

/**
 * `com.zendesk.<event type>` (`zen:event-type:ticket.created` → `com.zendesk.ticket.created`), a trigger's
 * webhook `com.zendesk.webhook`. The subject is the resource: `tickets/{id}` from the event's
 * `subject` (`zen:ticket:12`) or `detail.id`; a trigger payload's `ticket.id` or `ticket_id` when it has one.
 */
export function normaliseZendeskEvent(verified: VerifiedWebhook): NormalisedEvent {
  const type = namespacedEventType(ZENDESK_EVENT_NAMESPACE, verified.eventType);
  const subject = subjectOf(verified.eventType, (typeof verified.payload === 'object' && verified.payload !== null ? verified.payload : {}) as Payload);
  return subject === undefined ? { type } : { type, subject };
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
}

function subjectOf(eventType: string, payload: Payload): string | undefined {
  const named = typeof payload.subject === 'string' ? /^zen:([a-z_]+):([A-Za-z0-9_-]{1,64})$/.exec(payload.subject) : null;
  if (named && COLLECTIONS[named[1]]) return `${COLLECTIONS[named[1]]}/${named[2]}`;
  const kind = eventType.split('.')[0];
  if (COLLECTIONS[kind]) {
    const id = idOf(payload.detail?.id);
    return id ? `${COLLECTIONS[kind]}/${id}` : undefined;
  }
  const ticket = idOf(payload.ticket?.id) ?? idOf(payload.ticket_id);
  return ticket ? `tickets/${ticket}` : undefined;
}
