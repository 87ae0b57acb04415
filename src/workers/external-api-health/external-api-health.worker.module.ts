import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ConnectionLifecycleHandler } from './connection-lifecycle.handler';
import { ExternalApiHealthOptions } from './external-api-health.options';
import { HealthProber } from './health-prober';

/** The ExternalApiHealthWorker role: probes connections, keeps their health, and holds dead vendors' breakers open. */
@Module({
  controllers: [ConnectionLifecycleHandler],
  providers: [provideOptions(ExternalApiHealthOptions), HealthProber],
  exports: [ExternalApiHealthOptions, HealthProber],
})
export class ExternalApiHealthWorkerModule {
  static readonly options = [ExternalApiHealthOptions];
}
