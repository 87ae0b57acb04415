import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from './subscription.dto';
import { SubscriptionsService, SubscriptionView } from './subscriptions.service';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { SubscriptionViewSchema, SubscriptionWithSecretSchema } from './subscription-view.schema';

@Controller('webhooks/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  /** 201 with the subscription and, this once, its `secret`. */
  @Post()
  @RequireScopes('webhooks.subscriptions.write')
  @ApiBody({
    type: CreateSubscriptionDto,
    examples: { pullRequests: { value: { url: 'https://hooks.example.com/factory', eventTypes: ['com.github.pull_request.*'], description: 'PR events' } } },
  })
  @ApiCreatedResponse({ type: SubscriptionWithSecretSchema, description: 'The subscription and, this once, its signing `secret`' })
  create(@Body() request: CreateSubscriptionDto): Promise<SubscriptionView & { secret: string }> {
    return this.subscriptions.create(request);
  }

  @Get()
  @RequireScopes('webhooks.subscriptions.read')
  @ApiItemsResponse(SubscriptionViewSchema)
  async list(): Promise<{ items: SubscriptionView[] }> {
    return { items: await this.subscriptions.list() };
  }

  @Get(':id')
  @RequireScopes('webhooks.subscriptions.read')
  @ApiOkResponse({ type: SubscriptionViewSchema })
  get(@Param('id') id: string): Promise<SubscriptionView> {
    return this.subscriptions.get(id);
  }

  @Patch(':id')
  @RequireScopes('webhooks.subscriptions.write')
  @ApiOkResponse({ type: SubscriptionViewSchema })
  update(@Param('id') id: string, @Body() request: UpdateSubscriptionDto): Promise<SubscriptionView> {
    return this.subscriptions.update(id, request);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireScopes('webhooks.subscriptions.write')
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(@Param('id') id: string): Promise<void> {
    return this.subscriptions.remove(id);
  }

  /** The new `secret`, answered this once; the previous one keeps signing for WEBHOOK_SECRET_OVERLAP. */
  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @RequireScopes('webhooks.subscriptions.write')
  @ApiOkResponse({ type: SubscriptionWithSecretSchema, description: 'The new `secret`, this once; the previous one keeps signing during the overlap' })
  rotateSecret(@Param('id') id: string): Promise<SubscriptionView & { secret: string }> {
    return this.subscriptions.rotateSecret(id);
  }
}
