import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { ModelRouteViewSchema } from './model-route-view.schema';
import { CreateModelRouteDto, ModelRouteBodyDto } from './model-route.dto';
import { ModelRoutesService, ModelRouteView } from './model-routes.service';

/** A tenant's named models with their fallback chains (callers name a route as their `model`). */
@Controller('integrations/model-routes')
export class ModelRoutesController {
  constructor(private readonly routes: ModelRoutesService) {}

  @Post()
  @RequireScopes('integration.connections.write')
  @ApiCreatedResponse({ type: ModelRouteViewSchema })
  create(@Body() request: CreateModelRouteDto): Promise<ModelRouteView> {
    return this.routes.create(request);
  }

  @Get()
  @RequireScopes('integration.connections.read')
  @ApiItemsResponse(ModelRouteViewSchema)
  async list(): Promise<{ items: ModelRouteView[] }> {
    return { items: await this.routes.list() };
  }

  @Get(':name')
  @RequireScopes('integration.connections.read')
  @ApiOkResponse({ type: ModelRouteViewSchema })
  get(@Param('name') name: string): Promise<ModelRouteView> {
    return this.routes.get(name);
  }

  @Put(':name')
  @RequireScopes('integration.connections.write')
  @ApiOkResponse({ type: ModelRouteViewSchema })
  replace(@Param('name') name: string, @Body() request: ModelRouteBodyDto): Promise<ModelRouteView> {
    return this.routes.replace(name, request);
  }

  @Delete(':name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RequireScopes('integration.connections.write')
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@Param('name') name: string): Promise<void> {
    await this.routes.delete(name);
  }
}
