import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { IsDefined, IsString, Length, Matches } from 'class-validator';
import { RequireScopes } from '../../../platform/auth/decorators';
import { TenantContext } from '../../../platform/context/tenant-context';
import { buildCloudEvent } from '../../../platform/events/cloud-event';
import { OptionalField } from '../../../platform/http/optional-field';
import { EventFanOut, FanOutResult } from './event-fan-out';

export class PublishEventDto {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, { message: 'type must be an event type name (letters, digits, . _ : / -)' })
  type: string;

  @IsDefined({ message: 'data is required' })
  data: unknown;

  /** The idempotency key: the same id again delivers nothing new. */
  @OptionalField()
  @IsString()
  @Length(1, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'id must be printable ASCII without spaces' })
  id?: string;
}

export const FACTORY_EVENT_SOURCE = 'urn:integration-platform:factory';

@Controller('webhooks/events')
export class EventsController {
  constructor(
    private readonly fanOut: EventFanOut,
    private readonly tenant: TenantContext,
  ) {}

  /** 202 `{id, deliveries, matched}`: the event as a CloudEvent to every matching active subscription of the tenant. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('webhooks.events.publish')
  async publish(@Body() request: PublishEventDto): Promise<{ id: string } & Omit<FanOutResult, 'eventId'>> {
    const event = buildCloudEvent({ type: request.type, source: FACTORY_EVENT_SOURCE, data: request.data, id: request.id ?? randomUUID(), tenantid: this.tenant.tenantId });
    const { eventId, ...result } = await this.fanOut.fanOut(event);
    return { id: eventId, ...result };
  }
}
