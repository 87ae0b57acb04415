import { BadRequestException, Body, Controller, Get, Post, Query } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { ApiCreatedResponse, ApiQuery } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { ClientViewSchema } from './client-view.schema';
import { RegisterClientDto } from './clients.dto';
import { ClientsService, ClientView } from './clients.service';

@Controller('integrations/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @RequireScopes('integration.providers.write')
  @ApiCreatedResponse({ type: ClientViewSchema })
  register(@Body() request: RegisterClientDto): Promise<ClientView> {
    return this.clients.register(request);
  }

  @Get()
  @RequireScopes('integration.providers.read')
  @ApiQuery({ name: 'providerId', required: false })
  @ApiItemsResponse(ClientViewSchema)
  async list(@Query('providerId') providerId?: string): Promise<{ items: ClientView[] }> {
    if (providerId !== undefined && !/^[a-z0-9][a-z0-9-]{1,62}$/.test(providerId)) throw new BadRequestException('providerId must be a provider id');
    return { items: await this.clients.list(providerId) };
  }
}
