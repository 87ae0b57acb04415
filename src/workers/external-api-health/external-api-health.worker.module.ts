import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ExternalApiHealthOptions } from './external-api-health.options';

/** The ExternalApiHealthWorker role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(ExternalApiHealthOptions)],
  exports: [ExternalApiHealthOptions],
})
export class ExternalApiHealthWorkerModule {
  static readonly options = [ExternalApiHealthOptions];
}
