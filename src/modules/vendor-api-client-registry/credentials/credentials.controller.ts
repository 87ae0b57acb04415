import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { RequireScopes } from '../../../platform/auth/decorators';
import { CreateCredentialDto, RotateCredentialDto } from './credential.dto';
import { CredentialsService, CredentialView, RotationView } from './credentials.service';

@Controller('integrations/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @RequireScopes('integration.credentials.write')
  create(@Body() request: CreateCredentialDto): Promise<CredentialView> {
    return this.credentials.create(request);
  }

  /** RotateCredential: 202 with the rotation; the same rotationToken again answers the same rotation. */
  @Post('rotate')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireScopes('integration.credentials.rotate')
  rotate(@Body() request: RotateCredentialDto): Promise<RotationView> {
    return this.credentials.rotate(request);
  }

  @Get()
  @RequireScopes('integration.credentials.write')
  async list(): Promise<{ items: CredentialView[] }> {
    return { items: await this.credentials.list() };
  }

  @Get(':id')
  @RequireScopes('integration.credentials.write')
  get(@Param('id') id: string): Promise<CredentialView & { rotations: RotationView[] }> {
    return this.credentials.get(id);
  }
}
