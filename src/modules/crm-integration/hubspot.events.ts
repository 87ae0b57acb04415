import { namespacedEventType } from '../../platform/vendors/event-types';
import type { NormalisedEvent } from '../../platform/vendors/vendor-descriptor';
import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';

/** The object type of a subscription type's prefix (`contact.propertyChange`), as the API paths name it. */
const COLLECTIONS: Readonly<Record<string, string>> = {
  contact: 'contacts',
  company: 'companies',
  deal: 'deals',
  ticket: 'tickets',
  product: 'products',
  line_item: 'line_items',
  conversation: 'conversations',
};

/**
 * `com.hubspot.<subscriptionType>` (`com.hubspot.contact.propertyChange`, `com.hubspot.deal.creation`),
 * subject `<objects>/<objectId>` (`contacts/123`). A batch of several events is `com.hubspot.batch`, its
 * subject the portal (`portals/<portalId>`) when every event is from one.
 */
export function normaliseHubSpotEvent(verified: VerifiedWebhook): NormalisedEvent {
  const events = Array.isArray(verified.payload) ? (verified.payload as Array<Record<string, unknown>>) : [];
  const type = namespacedEventType('com.hubspot', verified.eventType);
  if (verified.eventType === 'batch') {
    const portals = new Set(events.map((event) => event.portalId));
    const [portal] = portals;
    return portals.size === 1 && isId(portal) ? { type, subject: `portals/${portal}` } : { type };
  }
  const event = events[0] ?? {};
  const collection = COLLECTIONS[verified.eventType.split('.')[0]];
  return collection && isId(event.objectId) ? { type, subject: `${collection}/${event.objectId}` } : { type };
}

function isId(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^[0-9]{1,30}$/.test(value));
}
