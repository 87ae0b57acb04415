import type { TokenCredential } from '@azure/identity';
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { provideOptions } from '../config/options.provider';
import { AzureIdentityOptions } from './azure-identity.options';

/**
 * The one DefaultAzureCredential of the process, shared by every Azure adapter (one token cache, one
 * place for its settings). Created on first use, so processes without Azure never load @azure/identity.
 */
@Injectable()
export class AzureCredentials {
  private credential?: Promise<TokenCredential>;

  constructor(@Inject(AzureIdentityOptions) private readonly options: AzureIdentityOptions) {}

  get(): Promise<TokenCredential> {
    this.credential ??= import('@azure/identity').then(
      ({ DefaultAzureCredential }) => new DefaultAzureCredential({ disableInstanceDiscovery: this.options.disableInstanceDiscovery }),
    );
    return this.credential;
  }
}

@Global()
@Module({
  providers: [provideOptions(AzureIdentityOptions), AzureCredentials],
  exports: [AzureIdentityOptions, AzureCredentials],
})
export class AzureIdentityModule {}
