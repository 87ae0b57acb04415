import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { SyncsModule } from '../../platform/integrations/syncs/syncs.module';
import { IntegrationSyncOptions } from './integration-sync.options';
import { RunSyncHandler } from './run-sync.handler';
import { SyncScheduler } from './sync-scheduler';

/** The IntegrationSyncWorker role: the sync schedule, and RunSync commands for on-demand runs. */
@Module({
  imports: [SyncsModule],
  controllers: [RunSyncHandler],
  providers: [provideOptions(IntegrationSyncOptions), SyncScheduler],
  exports: [IntegrationSyncOptions, SyncScheduler],
})
export class IntegrationSyncWorkerModule {
  static readonly options = [IntegrationSyncOptions];
}
