import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RequestContext } from '../../platform/context/request-context';
import type { RotateCredentialCommand } from '../../platform/integrations/credentials/credential-rotations';
import { PoisonMessageError } from '../../platform/messaging/bus-message';
import { CredentialRotationService } from './credential-rotation.service';
import { COMMANDS } from '../../platform/messaging/contracts';

@Controller()
export class RotateCredentialHandler {
  constructor(private readonly rotation: CredentialRotationService) {}

  @MessagePattern(COMMANDS.RotateCredential)
  async rotate(@Payload() command: RotateCredentialCommand): Promise<void> {
    if (typeof command?.rotationId !== 'string') throw new PoisonMessageError('invalid_command', 'RotateCredential carries no rotationId');
    RequestContext.bindIds({ rotationId: command.rotationId, credentialId: command.credentialId });
    await this.rotation.rotate(RequestContext.current()!.tenantId!, command.rotationId);
  }
}
