import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiExtraModels, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import { RequireScopes } from '../../../platform/auth/decorators';
import { TenantContext } from '../../../platform/context/tenant-context';
import { buildCloudEvent, CloudEvent } from '../../../platform/events/cloud-event';
import { EventFanOut, FanOutResult } from './event-fan-out';
import { PublishEventDto } from './publish-event.dto';
import { PublishEventsPipe } from './publish-events.pipe';

export const FACTORY_EVENT_SOURCE = 'urn:integration-platform:factory';

/** What publishing one event did: its id (the idempotency key), the deliveries it created and the subscriptions it matched. */
export type PublishedEvent = { id: string } & Omit<FanOutResult, 'eventId'>;

@Controller('webhooks/events')
export class EventsController {
  constructor(
    private readonly fanOut: EventFanOut,
    private readonly tenant: TenantContext,
  ) {}

  /**
   * 202 `{id, deliveries, matched}`: the event as a CloudEvent to every matching active subscription of
   * the tenant. An array of events answers `{events: [...]}` in request order, all committed together.
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('webhooks.events.publish')
  @ApiOperation({ summary: "Publishes a factory event (or several, committed together) to the tenant's matching subscriptions" })
  @ApiExtraModels(PublishEventDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(PublishEventDto) }, { type: 'array', items: { $ref: getSchemaPath(PublishEventDto) } }] } })
  @ApiAcceptedResponse({
    description: '`{id, deliveries, matched}`; for an array, `{events: [...]}` in request order',
    schema: {
      type: 'object',
      additionalProperties: true,
      properties: { id: { type: 'string' }, deliveries: { type: 'integer' }, matched: { type: 'integer' }, events: { type: 'array', items: { type: 'object' } } },
    },
  })
  async publish(@Body(PublishEventsPipe) body: PublishEventDto | PublishEventDto[]): Promise<PublishedEvent | { events: PublishedEvent[] }> {
    const requests = Array.isArray(body) ? body : [body];
    const results = (await this.fanOut.fanOutAll(requests.map((request) => this.cloudEvent(request)))).map(({ eventId, ...result }) => ({ id: eventId, ...result }));
    return Array.isArray(body) ? { events: results } : results[0];
  }

  private cloudEvent(request: PublishEventDto): CloudEvent {
    return buildCloudEvent({ type: request.type, source: FACTORY_EVENT_SOURCE, data: request.data, id: request.id ?? randomUUID(), tenantid: this.tenant.tenantId });
  }
}
