import { BadRequestException, Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { PROVIDER_CATEGORIES, ProviderCategory } from '../../../platform/vendors/vendor-descriptor';
import { ProvidersService, ProviderView } from './providers.service';
import { RegisterProviderDto } from './register-provider.dto';

@Controller('integrations/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @RequireScopes('integration.providers.write')
  register(@Body() request: RegisterProviderDto): Promise<ProviderView> {
    return this.providers.register(request);
  }

  @Get()
  @RequireScopes('integration.providers.read')
  async list(@Query('category') category?: string): Promise<{ items: ProviderView[] }> {
    if (category !== undefined && !(PROVIDER_CATEGORIES as readonly string[]).includes(category)) {
      throw new BadRequestException(`category must be one of: ${PROVIDER_CATEGORIES.join(', ')}`);
    }
    return { items: await this.providers.list({ category: category as ProviderCategory | undefined }) };
  }

  @Get(':id')
  @RequireScopes('integration.providers.read')
  get(@Param('id') id: string): Promise<ProviderView> {
    return this.providers.get(id);
  }
}
