import { BadRequestException, Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Put, Query, Res, Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IsString } from 'class-validator';
import { RequireScopes } from '../../auth/decorators';
import { nameController } from '../../http/controller-name';
import { OptionalField } from '../../http/optional-field';
import { PageQuery } from '../../http/page-cursor';
import type { MessageChannel, SendEmailCommand, SendSmsCommand } from '../message-contracts';
import type { ChannelDefinition } from '../message-sending';
import { MESSAGE_ROUTE_NAME, MessageRouteDto } from './message-route.dto';
import { MessagesApi } from './messages-api';
import type { MessageRouteView, MessageView } from './message-views';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../openapi/api-responses';
import { MessageRouteViewSchema, MessageViewSchema } from './message-view.schema';

export class MessageListQuery extends PageQuery {
  /** One status, or several comma-separated. */
  @OptionalField()
  @IsString()
  status?: string;
}

/**
 * A channel's messages and routes, mounted under `/{channel}`, with the channel module's definition
 * (its validation, staging and senders) as the provider `definition`:
 *   POST /{channel}/messages                             validated, recorded Queued and queued in one transaction:
 *                                                        202 with the record (200 and `duplicate` for a key used before)
 *   GET /{channel}/messages?status=&limit=&cursor=      newest first
 *   GET /{channel}/messages/{id}                         the record with its history
 *   PUT/GET/DELETE /{channel}/routes/{name}, GET /{channel}/routes
 */
export function messagesController<C extends SendEmailCommand | SendSmsCommand>(channel: MessageChannel, definition: Type<ChannelDefinition<C>>): Type<unknown> {
  @Controller(channel)
  class MessagesController {
    constructor(
      private readonly api: MessagesApi,
      @Inject(definition) private readonly channelDefinition: ChannelDefinition<C>,
    ) {}

    @Post('messages')
    @RequireScopes('integration.runs.execute')
    @ApiBody({ description: "The channel's send command, validated by the channel (a 400 names the field)", schema: { type: 'object', additionalProperties: true } })
    @ApiAcceptedResponse({ type: MessageViewSchema, description: 'Recorded Queued and queued for sending' })
    @ApiOkResponse({ type: MessageViewSchema, description: 'An idempotency key used before: its message, with `duplicate: true`' })
    async send(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<MessageView & { duplicate?: true }> {
      const { view, duplicate } = await this.api.queue(this.channelDefinition, body);
      reply.code(duplicate ? HttpStatus.OK : HttpStatus.ACCEPTED);
      return duplicate ? { ...view, duplicate: true } : view;
    }

    @Get('messages')
    @RequireScopes('integration.runs.read')
    @ApiItemsResponse(MessageViewSchema, { paged: true })
    list(@Query() query: MessageListQuery): Promise<{ items: MessageView[]; nextCursor: string | null }> {
      return this.api.list(channel, query);
    }

    @Get('messages/:id')
    @RequireScopes('integration.runs.read')
    @ApiOkResponse({ type: MessageViewSchema, description: 'The message with its history' })
    get(@Param('id') id: string): Promise<MessageView> {
      return this.api.get(channel, id);
    }

    @Get('routes')
    @RequireScopes('integration.connections.read')
    @ApiItemsResponse(MessageRouteViewSchema)
    async routes(): Promise<{ items: MessageRouteView[] }> {
      return { items: await this.api.listRoutes(channel) };
    }

    @Get('routes/:name')
    @RequireScopes('integration.connections.read')
    @ApiOkResponse({ type: MessageRouteViewSchema })
    route(@Param('name') name: string): Promise<MessageRouteView> {
      return this.api.getRoute(channel, name);
    }

    @Put('routes/:name')
    @RequireScopes('integration.connections.write')
    @ApiCreatedResponse({ type: MessageRouteViewSchema, description: 'Created' })
    @ApiOkResponse({ type: MessageRouteViewSchema, description: 'Replaced' })
    async putRoute(@Param('name') name: string, @Body() body: MessageRouteDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<MessageRouteView> {
      if (!MESSAGE_ROUTE_NAME.test(name)) throw new BadRequestException('name must be 1–128 characters of letters, digits and . _ : -, starting with a letter or digit');
      const { view, created } = await this.api.putRoute(channel, name, body);
      reply.code(created ? HttpStatus.CREATED : HttpStatus.OK);
      return view;
    }

    @Delete('routes/:name')
    @HttpCode(HttpStatus.NO_CONTENT)
    @RequireScopes('integration.connections.write')
    @ApiNoContentResponse({ description: 'Deleted' })
    async deleteRoute(@Param('name') name: string): Promise<void> {
      await this.api.deleteRoute(channel, name);
    }
  }
  nameController(MessagesController, channel, 'MessagesController');
  return MessagesController;
}
