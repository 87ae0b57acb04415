import { Global, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { AzureCredentials } from '../azure/azure-credentials';
import { provideOptions } from '../config/options.provider';
import { RuntimeOptions } from '../config/runtime.options';
import { ReadinessChecks } from '../health/readiness-checks';
import { CachedSecretStore } from './cached-secret-store';
import { LocalSecretStore } from './local-secret-store';
import { SecretStore } from './secret-store';
import { SecretsOptions } from './secrets.options';

/**
 * Key Vault when KEYVAULT_URL is set (its SDK loaded only then), the encrypted file store otherwise;
 * behind the read cache unless its TTL is 0.
 */
export async function createSecretStore(options: SecretsOptions, runtime: RuntimeOptions, azure: AzureCredentials): Promise<SecretStore> {
  const backend = options.keyVaultUrl ? new (await import('./key-vault-secret-store')).KeyVaultSecretStore(options, await azure.get()) : new LocalSecretStore(options, runtime);
  return options.cacheTtlMs > 0 ? new CachedSecretStore(backend, options.cacheTtlMs) : backend;
}

@Injectable()
export class SecretsReadiness implements OnModuleInit {
  private readonly logger = new Logger(SecretsReadiness.name);

  constructor(
    private readonly store: SecretStore,
    private readonly options: SecretsOptions,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    const details = this.options.keyVaultUrl
      ? { backend: 'key-vault', vault: this.options.keyVaultUrl }
      : { backend: 'local', keySource: this.options.masterKey ? 'SECRETS_MASTER_KEY' : 'generated key file' };
    this.logger.log({ msg: 'Secret store selected', ...details, cacheTtlMs: this.options.cacheTtlMs });
    this.readiness.register('secrets', async () => {
      await this.store.ping();
      return { backend: details.backend };
    });
  }
}

/** The secrets port for every module: inject `SecretStore`. */
@Global()
@Module({
  providers: [
    provideOptions(SecretsOptions),
    { provide: SecretStore, inject: [SecretsOptions, RuntimeOptions, AzureCredentials], useFactory: createSecretStore },
    SecretsReadiness,
  ],
  exports: [SecretStore, SecretsOptions],
})
export class SecretsModule {}
