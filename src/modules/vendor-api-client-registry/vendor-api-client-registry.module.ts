import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsService } from './connections/connections.service';
import { GovernedRequestsService } from './connections/governed-requests.service';
import { CredentialsController } from './credentials/credentials.controller';
import { CredentialsService } from './credentials/credentials.service';
import { ModelRoutesController } from './model-routes/model-routes.controller';
import { ModelRoutesService } from './model-routes/model-routes.service';
import { ProvidersController } from './providers/providers.controller';
import { ProvidersService } from './providers/providers.service';
import { RunCommandsHandler } from './runs/run-commands.handler';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { SyncsModule } from '../../platform/integrations/syncs/syncs.module';
import { IntegrationSyncOptions } from '../../workers/integration-sync/integration-sync.options';
import { SyncsController } from './syncs/syncs.controller';
import { SyncsService } from './syncs/syncs.service';
import { VendorRegistryOptions } from './vendor-api-client-registry.options';
import { LiveEventsController } from '../../platform/live/live-events.controller';
import { HealthChecksController } from './connections/health-checks.controller';
import { HealthChecksService } from './connections/health-checks.service';
import { ModelUsageController } from './model-usage/model-usage.controller';
import { ModelUsageService } from './model-usage/model-usage.service';
import { OverviewController } from './overview/overview.controller';
import { BUILT_CONSOLE_DIR, ConsoleAssets } from './console/console-assets';
import { ConsoleController } from './console/console.controller';
import { ConsoleOptions } from './console/console.options';
import { PublicUrlOptions } from '../../platform/webhooks/public-url.options';
import { OperationsOverviewService } from './overview/operations-overview.service';

/**
 * The VendorApiClientRegistryService role: providers, versioned clients, credentials, connections, the
 * governed call API, runs, the ExecuteIntegrationRun / RetryIntegrationRun commands, and the sync API
 * of connections (configuring syncs, asking for runs, reading their records; SYNC_INTERVAL is the default
 * interval of a sync configured without one), the tenants' model routes, and what the operator console
 * reads besides: the overview, health histories, model usage and the live event feed.
 */
@Module({
  imports: [SyncsModule],
  controllers: [
    ProvidersController,
    ClientsController,
    CredentialsController,
    ConnectionsController,
    SyncsController,
    ModelRoutesController,
    RunsController,
    RunCommandsHandler,
    HealthChecksController,
    ModelUsageController,
    OverviewController,
    LiveEventsController,
    ConsoleController,
  ],
  providers: [
    provideOptions(VendorRegistryOptions),
    provideOptions(IntegrationSyncOptions),
    provideOptions(ConsoleOptions),
    provideOptions(PublicUrlOptions),
    { provide: ConsoleAssets, useFactory: () => new ConsoleAssets(BUILT_CONSOLE_DIR) },
    ProvidersService,
    ClientsService,
    CredentialsService,
    ConnectionsService,
    GovernedRequestsService,
    RunsService,
    SyncsService,
    ModelRoutesService,
    HealthChecksService,
    ModelUsageService,
    OperationsOverviewService,
  ],
  exports: [VendorRegistryOptions, ConsoleOptions, ProvidersService],
})
export class VendorApiClientRegistryModule {
  static readonly options = [VendorRegistryOptions, IntegrationSyncOptions, ConsoleOptions, PublicUrlOptions];
}
