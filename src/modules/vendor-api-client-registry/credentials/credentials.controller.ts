import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { CreateCredentialDto, RotateCredentialDto } from './credential.dto';
import { CredentialsService, CredentialView, RotationView } from './credentials.service';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, getSchemaPath } from '@nestjs/swagger';
import { ApiItemsResponse } from '../../../platform/openapi/api-responses';
import { CredentialViewSchema, RotationViewSchema } from './credential-view.schema';

@Controller('integrations/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @RequireScopes('integration.credentials.write')
  @ApiOperation({ summary: 'Stores a value in the secret store, or binds an existing secret; never answers the value' })
  @ApiBody({
    type: CreateCredentialDto,
    examples: {
      storeValue: { summary: 'Store a value in the secret store', value: { name: 'github-token', value: 'ghp_…' } },
      bindSecret: { summary: 'Bind an existing secret', value: { name: 'stripe-webhook', secretRef: 'stripe-webhook-secret' } },
    },
  })
  @ApiCreatedResponse({ type: CredentialViewSchema })
  create(@Body() request: CreateCredentialDto): Promise<CredentialView> {
    return this.credentials.create(request);
  }

  /** RotateCredential: 202 with the rotation; the same rotationToken again answers the same rotation. */
  @Post('rotate')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('integration.credentials.rotate')
  @ApiOperation({ summary: 'RotateCredential: a new secret version, verified before the old one is let go' })
  @ApiAcceptedResponse({ type: RotationViewSchema })
  rotate(@Body() request: RotateCredentialDto): Promise<RotationView> {
    return this.credentials.rotate(request);
  }

  @Get()
  @RequireScopes('integration.credentials.write')
  @ApiItemsResponse(CredentialViewSchema)
  async list(): Promise<{ items: CredentialView[] }> {
    return { items: await this.credentials.list() };
  }

  @Get(':id')
  @RequireScopes('integration.credentials.write')
  @ApiOkResponse({
    description: 'The credential with its rotations',
    schema: {
      allOf: [{ $ref: getSchemaPath(CredentialViewSchema) }, { type: 'object', properties: { rotations: { type: 'array', items: { $ref: getSchemaPath(RotationViewSchema) } } } }],
    },
  })
  @ApiExtraModels(RotationViewSchema)
  get(@Param('id') id: string): Promise<CredentialView & { rotations: RotationView[] }> {
    return this.credentials.get(id);
  }
}
