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

/**
 * The VendorApiClientRegistryService role: providers, versioned clients, credentials, connections, the
 * governed call API, runs, the ExecuteIntegrationRun / RetryIntegrationRun commands, and the sync API
 * of connections (configuring syncs, asking for runs, reading their records; SYNC_INTERVAL is the default
 * interval of a sync configured without one), and the tenants' model routes.
 */
@Module({
  imports: [SyncsModule],
  controllers: [ProvidersController, ClientsController, CredentialsController, ConnectionsController, SyncsController, ModelRoutesController, RunsController, RunCommandsHandler],
  providers: [
    provideOptions(VendorRegistryOptions),
    provideOptions(IntegrationSyncOptions),
    ProvidersService,
    ClientsService,
    CredentialsService,
    ConnectionsService,
    GovernedRequestsService,
    RunsService,
    SyncsService,
    ModelRoutesService,
  ],
  exports: [VendorRegistryOptions, ProvidersService],
})
export class VendorApiClientRegistryModule {
  static readonly options = [VendorRegistryOptions, IntegrationSyncOptions];
}
