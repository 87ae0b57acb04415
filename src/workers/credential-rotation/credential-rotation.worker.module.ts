import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { CredentialRotationOptions } from './credential-rotation.options';
import { CredentialRotationService } from './credential-rotation.service';
import { RotateCredentialHandler } from './rotate-credential.handler';
import { RotationSchedule } from './rotation-schedule';

/** The CredentialRotationWorker role: RotateCredential commands, and the schedule that sends them. */
@Module({
  controllers: [RotateCredentialHandler],
  providers: [provideOptions(CredentialRotationOptions), CredentialRotationService, RotationSchedule],
  exports: [CredentialRotationOptions, CredentialRotationService, RotationSchedule],
})
export class CredentialRotationWorkerModule {
  static readonly options = [CredentialRotationOptions];
}
