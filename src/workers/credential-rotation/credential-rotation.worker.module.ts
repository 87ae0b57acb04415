import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { CredentialRotationOptions } from './credential-rotation.options';

/** The CredentialRotationWorker role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(CredentialRotationOptions)],
  exports: [CredentialRotationOptions],
})
export class CredentialRotationWorkerModule {
  static readonly options = [CredentialRotationOptions];
}
