import { namespacedEventType } from '../../platform/vendors/event-types';
import type { NormalisedEvent } from '../../platform/vendors/vendor-descriptor';
import type { VerifiedWebhook } from '../../platform/webhooks/verification/webhook-verifier';

/** `payment_intent.succeeded` → `com.stripe.payment_intent.succeeded`, subject the object's id (`pi_…`). */
export function normaliseStripeEvent(verified: VerifiedWebhook): NormalisedEvent {
  const object = (verified.payload as { data?: { object?: { id?: unknown } } } | undefined)?.data?.object;
  const subject = typeof object?.id === 'string' ? object.id : undefined;
  return { type: namespacedEventType('com.stripe', verified.eventType), ...(subject ? { subject } : {}) };
}
