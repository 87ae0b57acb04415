import { Injectable } from '@nestjs/common';
import { WebhookDeliveryOptions } from './webhook-delivery.options';

/**
 * POSTs in flight per endpoint (URL origin) in this process, at most WEBHOOK_ENDPOINT_CONCURRENCY each.
 * Never waits: a caller that finds its endpoint full gets `false` and defers the delivery, so a slow
 * endpoint holds at most that many consumer slots and every other endpoint keeps the rest.
 */
@Injectable()
export class EndpointSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: WebhookDeliveryOptions) {}

  /** Takes a slot of `endpoint` when one is free; release it with `release` once the POST is over. */
  tryAcquire(endpoint: string): boolean {
    const current = this.inFlight.get(endpoint) ?? 0;
    if (current >= this.options.perEndpointConcurrency) return false;
    this.inFlight.set(endpoint, current + 1);
    return true;
  }

  release(endpoint: string): void {
    const current = this.inFlight.get(endpoint) ?? 0;
    if (current <= 1) this.inFlight.delete(endpoint);
    else this.inFlight.set(endpoint, current - 1);
  }

  /** POSTs in flight to `endpoint` now (tests, diagnostics). */
  count(endpoint: string): number {
    return this.inFlight.get(endpoint) ?? 0;
  }
}
