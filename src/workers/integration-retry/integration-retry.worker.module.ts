import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { IntegrationRetryOptions } from './integration-retry.options';

/** The IntegrationRetryWorker role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(IntegrationRetryOptions)],
  exports: [IntegrationRetryOptions],
})
export class IntegrationRetryWorkerModule {
  static readonly options = [IntegrationRetryOptions];
}
