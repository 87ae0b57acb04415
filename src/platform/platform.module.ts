import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import { ActiveRoles } from './active-roles';
import { AuthModule } from './auth/auth.module';
import { AzureIdentityModule } from './azure/azure-credentials';
import { BlobModule } from './blob/blob.module';
import { CacheModule } from './cache/cache.module';
import { loadOptions } from './config/options';
import { provideOptions } from './config/options.provider';
import { ObservabilityOptions } from './config/observability.options';
import { RuntimeOptions } from './config/runtime.options';
import { EgressModule } from './egress/egress.module';
import { HealthModule } from './health/health.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { ProcessLifecycle } from './lifecycle/process-lifecycle';
import { HttpObservability } from './observability/http-observability';
import { MetricsController } from './observability/metrics.controller';
import { ROOT_LOGGER } from './observability/observability.tokens';
import { PlatformMetrics } from './observability/platform-metrics';
import { OpenApiModule } from './openapi/openapi.module';
import { DatabaseOptions } from './persistence/database.options';
import { ResilienceModule } from './resilience/resilience.module';
import { SecretsModule } from './secrets/secrets.module';

export interface PlatformSettings {
  roles: ActiveRoles;
  logger: Logger;
  metrics: PlatformMetrics;
}

/** The shared kernel every role runs on: configuration, observability, auth, health, lifecycle, and the blob, secrets, cache and resilience ports. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(settings: PlatformSettings): DynamicModule {
    const providers: Provider[] = [
      provideOptions(RuntimeOptions),
      provideOptions(ObservabilityOptions),
      provideOptions(DatabaseOptions),
      { provide: ActiveRoles, useValue: settings.roles },
      { provide: ROOT_LOGGER, useValue: settings.logger },
      { provide: PlatformMetrics, useValue: settings.metrics },
      ProcessLifecycle,
      HttpObservability,
      { provide: APP_FILTER, useClass: HttpErrorFilter },
    ];
    return {
      module: PlatformModule,
      imports: [AuthModule, HealthModule, AzureIdentityModule, BlobModule, SecretsModule, CacheModule, ResilienceModule, EgressModule, OpenApiModule],
      controllers: loadOptions(ObservabilityOptions).metricsEnabled ? [MetricsController] : [],
      providers,
      exports: [RuntimeOptions, ObservabilityOptions, DatabaseOptions, ActiveRoles, ROOT_LOGGER, PlatformMetrics, ProcessLifecycle],
    };
  }
}
