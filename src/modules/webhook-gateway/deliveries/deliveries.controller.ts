import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { IsIn, Matches } from 'class-validator';
import { RequireScopes } from '../../../platform/auth/decorators';
import { OptionalField } from '../../../platform/http/optional-field';
import { decodePageCursor, PageQuery } from '../../../platform/http/page-cursor';
import type { DeliveryStatus } from '../../../platform/webhooks/entities/webhook-delivery.entity';
import { DeliveriesService, DeliveryView } from './deliveries.service';
import { ApiAcceptedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { DeliveryViewSchema } from './delivery-view.schema';

const STATUSES = ['Pending', 'Delivered', 'DeadLettered', 'Failed'] as const;

export class ListDeliveriesQuery extends PageQuery {
  @OptionalField()
  @Matches(/^sub-[0-9a-f]{32}$/, { message: 'subscriptionId must be a subscription id' })
  subscriptionId?: string;

  @OptionalField()
  @Matches(/^conn-[0-9a-f]{32}$/, { message: 'connectionId must be a connection id' })
  connectionId?: string;

  @OptionalField()
  @IsIn(STATUSES, { message: `status must be one of: ${STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @OptionalField()
  @IsIn(['in', 'out'], { message: 'direction must be in or out' })
  direction?: 'in' | 'out';
}

export class ReplayDeliveriesDto {
  @Matches(/^sub-[0-9a-f]{32}$/, { message: 'subscriptionId must be a subscription id' })
  subscriptionId: string;
}

@Controller('webhooks/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @RequireScopes('webhooks.deliveries.read')
  @ApiItemsResponse(DeliveryViewSchema, { paged: true })
  list(@Query() query: ListDeliveriesQuery): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
    return this.deliveries.list({ ...query, limit: query.limit ?? 50, cursor: query.cursor === undefined ? undefined : decodePageCursor(query.cursor) });
  }

  /** 202: every dead-lettered delivery of the subscription starts a new attempt series (the count in `replayed`). */
  @Post('replay')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('webhooks.subscriptions.write')
  @ApiAcceptedResponse({
    description: 'How many dead-lettered deliveries started a new attempt series (409 when the subscription is not active)',
    schema: { type: 'object', required: ['replayed'], properties: { replayed: { type: 'integer', minimum: 0, example: 3 } } },
  })
  replayDeadLettered(@Body() request: ReplayDeliveriesDto): Promise<{ replayed: number }> {
    return this.deliveries.replayDeadLettered(request.subscriptionId);
  }

  @Get(':id')
  @RequireScopes('webhooks.deliveries.read')
  @ApiOkResponse({ type: DeliveryViewSchema, description: 'The delivery with its attempts' })
  get(@Param('id') id: string): Promise<DeliveryView> {
    return this.deliveries.get(id);
  }

  /** 202 with the delivery: a new attempt series, the same `webhook-id`. */
  @Post(':id/replay')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('webhooks.subscriptions.write')
  @ApiAcceptedResponse({ type: DeliveryViewSchema, description: 'A new attempt series, the same `webhook-id`' })
  replay(@Param('id') id: string): Promise<DeliveryView> {
    return this.deliveries.replay(id);
  }
}
