import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideOptions } from '../config/options.provider';
import { IntegrationFailure } from '../runs/entities/integration-failure.entity';
import { IntegrationRunAttempt } from '../runs/entities/integration-run-attempt.entity';
import { IntegrationRun } from '../runs/entities/integration-run.entity';
import { RunJournal } from '../runs/run-journal';
import { RunRecorder } from '../runs/run-recorder';
import { ConnectionHealthService } from './connections/connection-health';
import { ConnectionResolver } from './connections/connection-resolver';
import { CredentialInjector } from './credentials/credential-injector';
import { CredentialRotations } from './credentials/credential-rotations';
import { CredentialVault } from './credentials/credential-vault';
import { SharedTokens } from './credentials/shared-tokens';
import { ConnectionHealthCheck } from './entities/connection-health-check.entity';
import { CredentialRotation } from './entities/credential-rotation.entity';
import { ExternalApiClient } from './entities/external-api-client.entity';
import { IntegrationConnection } from './entities/integration-connection.entity';
import { IntegrationCredential } from './entities/integration-credential.entity';
import { IntegrationProvider } from './entities/integration-provider.entity';
import { OAuthToken } from './entities/oauth-token.entity';
import { GovernedHttpClient } from './governed/governed-http-client';
import { RateBudgets } from './governed/rate-budgets';
import { IntegrationEvents } from './integration-events';
import { IntegrationsOptions } from './integrations.options';
import { OperationRunner } from './operations/operation-runner';

const ENTITIES = [
  IntegrationProvider,
  ExternalApiClient,
  IntegrationConnection,
  IntegrationCredential,
  CredentialRotation,
  OAuthToken,
  ConnectionHealthCheck,
  IntegrationRun,
  IntegrationRunAttempt,
  IntegrationFailure,
];

/** The services every role may use: vendor modules call out through GovernedHttpClient only. */
const SHARED_SERVICES = [
  IntegrationEvents,
  CredentialVault,
  CredentialRotations,
  SharedTokens,
  CredentialInjector,
  ConnectionResolver,
  ConnectionHealthService,
  RunRecorder,
  GovernedHttpClient,
  OperationRunner,
];

/**
 * Governed vendor access, shared by every role. Global, so a vendor module needs no imports to use it.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES)],
  providers: [provideOptions(IntegrationsOptions), RateBudgets, RunJournal, ...SHARED_SERVICES],
  exports: [TypeOrmModule, IntegrationsOptions, ...SHARED_SERVICES],
})
export class IntegrationsModule {
  static readonly options = [IntegrationsOptions];
}
