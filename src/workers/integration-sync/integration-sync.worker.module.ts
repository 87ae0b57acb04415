import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { IntegrationSyncOptions } from './integration-sync.options';

/** The IntegrationSyncWorker role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(IntegrationSyncOptions)],
  exports: [IntegrationSyncOptions],
})
export class IntegrationSyncWorkerModule {
  static readonly options = [IntegrationSyncOptions];
}
