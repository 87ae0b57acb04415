import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { ClientsController } from './clients/clients.controller';
import { ClientsService } from './clients/clients.service';
import { ConnectionsController } from './connections/connections.controller';
import { ConnectionsService } from './connections/connections.service';
import { GovernedRequestsService } from './connections/governed-requests.service';
import { CredentialsController } from './credentials/credentials.controller';
import { CredentialsService } from './credentials/credentials.service';
import { ProvidersController } from './providers/providers.controller';
import { ProvidersService } from './providers/providers.service';
import { RunCommandsHandler } from './runs/run-commands.handler';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { VendorRegistryOptions } from './vendor-api-client-registry.options';

/**
 * The VendorApiClientRegistryService role: providers, versioned clients, credentials, connections, the
 * governed call API, runs, and the ExecuteIntegrationRun / RetryIntegrationRun commands.
 */
@Module({
  controllers: [ProvidersController, ClientsController, CredentialsController, ConnectionsController, RunsController, RunCommandsHandler],
  providers: [provideOptions(VendorRegistryOptions), ProvidersService, ClientsService, CredentialsService, ConnectionsService, GovernedRequestsService, RunsService],
  exports: [VendorRegistryOptions, ProvidersService],
})
export class VendorApiClientRegistryModule {
  static readonly options = [VendorRegistryOptions];
}
