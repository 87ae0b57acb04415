import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { assertCloudEvent, CloudEvent } from '../../../platform/events/cloud-event';
import { PoisonMessageError } from '../../../platform/messaging/bus-message';
import { EventFanOut } from './event-fan-out';
import { EVENTS } from '../../../platform/messaging/contracts';

const FAN_OUT = { role: 'WebhookGatewayService' };

/**
 * Platform events (and verified vendor webhooks, `WebhookReceived`) fanned out to tenants' webhook
 * subscriptions. Deliveries' own outcomes are not fanned out again (`WebhookDelivered`, and
 * `IntegrationFailed` for a delivery): a `*` subscription would otherwise feed on itself.
 */
@Controller()
export class PlatformEventsHandler {
  constructor(private readonly fanOut: EventFanOut) {}

  @EventPattern(EVENTS.IntegrationFailed, FAN_OUT)
  async integrationFailed(@Payload() event: CloudEvent<{ purpose?: string }>): Promise<void> {
    if (event?.data?.purpose === 'delivery') return;
    await this.forward(event);
  }

  @EventPattern(EVENTS.IntegrationRunCompleted, FAN_OUT)
  runCompleted(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.IntegrationConnectionEstablished, FAN_OUT)
  connectionEstablished(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.IntegrationConnectionRetired, FAN_OUT)
  connectionRetired(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.IntegrationProviderRegistered, FAN_OUT)
  providerRegistered(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.ExternalApiClientRegistered, FAN_OUT)
  clientRegistered(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.WebhookReceived, FAN_OUT)
  webhookReceived(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.WebhookDelivered, FAN_OUT)
  webhookDelivered(): void {
    // Not fanned out: see the class comment.
  }

  @EventPattern(EVENTS.CredentialRotated, FAN_OUT)
  credentialRotated(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.ExternalApiHealthChanged, FAN_OUT)
  healthChanged(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.ExternalRecordsChanged, FAN_OUT)
  recordsChanged(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  @EventPattern(EVENTS.MessageStatusChanged, FAN_OUT)
  messageStatusChanged(@Payload() event: CloudEvent): Promise<void> {
    return this.forward(event);
  }

  private async forward(event: unknown): Promise<void> {
    try {
      assertCloudEvent(event);
    } catch (error) {
      throw new PoisonMessageError('invalid_event', (error as Error).message);
    }
    // Global events (a built-in provider registered) belong to no tenant's subscriptions.
    if (event.tenantid === '_global') return;
    await this.fanOut.fanOut(event);
  }
}
