import { BadRequestException, Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { PROVIDER_CATEGORIES, ProviderCategory } from '../../../platform/vendors/vendor-descriptor';
import { ProvidersService, ProviderView } from './providers.service';
import { RegisterProviderDto } from './register-provider.dto';
import { ApiCreatedResponse, ApiOkResponse, ApiQuery } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { ProviderViewSchema } from './provider-view.schema';

@Controller('integrations/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @RequireScopes('integration.providers.write')
  @ApiCreatedResponse({ type: ProviderViewSchema, description: "The tenant's own provider" })
  register(@Body() request: RegisterProviderDto): Promise<ProviderView> {
    return this.providers.register(request);
  }

  @Get()
  @RequireScopes('integration.providers.read')
  @ApiQuery({ name: 'category', required: false, enum: PROVIDER_CATEGORIES })
  @ApiItemsResponse(ProviderViewSchema)
  async list(@Query('category') category?: string): Promise<{ items: ProviderView[] }> {
    if (category !== undefined && !(PROVIDER_CATEGORIES as readonly string[]).includes(category)) {
      throw new BadRequestException(`category must be one of: ${PROVIDER_CATEGORIES.join(', ')}`);
    }
    return { items: await this.providers.list({ category: category as ProviderCategory | undefined }) };
  }

  @Get(':id')
  @RequireScopes('integration.providers.read')
  @ApiOkResponse({ type: ProviderViewSchema })
  get(@Param('id') id: string): Promise<ProviderView> {
    return this.providers.get(id);
  }
}
