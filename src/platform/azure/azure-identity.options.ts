import { bool, str, url } from '../config/codecs';
import { Env, OptionsSection } from '../config/options';

/**
 * Read by DefaultAzureCredential itself; bound here so they are documented, validated and (the client
 * secret) redacted like every other setting. In AKS, the workload-identity webhook sets AZURE_CLIENT_ID,
 * AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; no secret is involved.
 */
@OptionsSection('Azure identity', 'How the Azure adapters (Service Bus, Blob, Key Vault) authenticate when no connection string is given')
export class AzureIdentityOptions {
  @Env('AZURE_CLIENT_ID', str({ minLength: 1 }), {
    description: 'Client id of the workload or user-assigned managed identity (or of a service principal)',
  })
  readonly clientId?: string;

  @Env('AZURE_TENANT_ID', str({ minLength: 1 }), { description: 'Microsoft Entra tenant of that identity' })
  readonly tenantId?: string;

  @Env('AZURE_CLIENT_SECRET', str({ minLength: 1 }), {
    secret: true,
    description: 'Service principal secret: development and CI only; production uses workload identity',
  })
  readonly clientSecret?: string;

  @Env('AZURE_AUTHORITY_HOST', url({ protocols: ['https'] }), {
    description: 'Microsoft Entra authority for sovereign clouds (default https://login.microsoftonline.com)',
  })
  readonly authorityHost?: string;

  @Env('AZURE_DISABLE_INSTANCE_DISCOVERY', bool(), {
    default: false,
    description:
      'Skip Microsoft Entra instance discovery (a call to login.microsoftonline.com) and trust AZURE_AUTHORITY_HOST as given: sovereign, Azure Stack and disconnected clouds',
  })
  readonly disableInstanceDiscovery: boolean;
}
