import type { VerifiedWebhook } from '../webhooks/verification/webhook-verifier';
import type { NormalisedEvent } from './vendor-descriptor';

/** `com.<vendor>.<the vendor's own event name>`: the namespace keeps vendors' event names apart. */
export function namespacedEventType(namespace: string, vendorEventType: string): string {
  return `${namespace}.${vendorEventType}`;
}

/** A normaliser that only namespaces the type (vendors whose payload names no single resource). */
export function namespacedEvents(namespace: string): (verified: VerifiedWebhook) => NormalisedEvent {
  return (verified) => ({ type: namespacedEventType(namespace, verified.eventType) });
}

/**
 * Whether a subscription's event-type filter takes an event: `*`, the exact name, or a prefix pattern
 * ending in `.*` (`com.vendor.*` takes `com.vendor.push` and `com.vendor.pull_request.opened`).
 */
export function eventTypeMatches(filter: readonly string[], type: string): boolean {
  for (const pattern of filter) {
    if (pattern === '*' || pattern === type) return true;
    if (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}
