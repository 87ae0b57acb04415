import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '../../platform/events/cloud-event';
import { HEALTH_STATUS_VALUE, PlatformMetrics } from '../../platform/observability/platform-metrics';
import { EVENTS } from '../../platform/messaging/contracts';

interface ConnectionEventData {
  connectionId: string;
  providerId: string;
}

/**
 * Keeps the health gauge in step with the connection lifecycle: an established connection has just
 * passed its test (Healthy until its first probe, which the sweep schedules from that test), a retired
 * one stops being reported.
 */
@Controller()
export class ConnectionLifecycleHandler {
  constructor(private readonly metrics: PlatformMetrics) {}

  @EventPattern(EVENTS.IntegrationConnectionEstablished, { role: 'ExternalApiHealthWorker' })
  onEstablished(@Payload() event: CloudEvent<ConnectionEventData>): void {
    if (event?.data?.connectionId) this.metrics.externalHealthStatus.set({ provider: event.data.providerId, target: event.data.connectionId }, HEALTH_STATUS_VALUE.Healthy);
  }

  @EventPattern(EVENTS.IntegrationConnectionRetired, { role: 'ExternalApiHealthWorker' })
  onRetired(@Payload() event: CloudEvent<ConnectionEventData>): void {
    if (event?.data?.connectionId) this.metrics.externalHealthStatus.remove({ provider: event.data.providerId, target: event.data.connectionId });
  }
}
