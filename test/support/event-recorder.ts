import { Controller, Injectable, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent } from '../../src/platform/events/cloud-event';

/** Every platform event a test app published, in order of consumption (through the WebhookGatewayService fan-out subscription). */
@Injectable()
export class RecordedEvents {
  readonly events: CloudEvent[] = [];

  ofType<T = Record<string, unknown>>(type: string): Array<CloudEvent<T>> {
    return this.events.filter((event) => event.type === type) as Array<CloudEvent<T>>;
  }
}

const ROLE = { role: 'WebhookGatewayService' };

@Controller()
class EventRecorderController {
  constructor(private readonly recorded: RecordedEvents) {}

  @EventPattern('IntegrationProviderRegistered', ROLE)
  providerRegistered(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('ExternalApiClientRegistered', ROLE)
  clientRegistered(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('IntegrationConnectionEstablished', ROLE)
  connectionEstablished(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('IntegrationConnectionRetired', ROLE)
  connectionRetired(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('IntegrationRunCompleted', ROLE)
  runCompleted(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('IntegrationFailed', ROLE)
  failed(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('CredentialRotated', ROLE)
  credentialRotated(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('WebhookReceived', ROLE)
  webhookReceived(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('WebhookDelivered', ROLE)
  webhookDelivered(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('ExternalApiHealthChanged', ROLE)
  healthChanged(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }

  @EventPattern('MessageStatusChanged', ROLE)
  messageStatusChanged(@Payload() event: CloudEvent): void {
    this.recorded.events.push(event);
  }
}

/** Mount with `startInProcess(env, [EventRecorderModule])`, read with `platform.app.get(RecordedEvents)`. */
@Module({ controllers: [EventRecorderController], providers: [RecordedEvents] })
export class EventRecorderModule {}
