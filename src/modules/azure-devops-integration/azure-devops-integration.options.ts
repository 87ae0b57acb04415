import { str, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Azure DevOps', 'Options of the AzureDevOpsIntegrationService role')
export class AzureDevOpsIntegrationOptions {
  @Env('AZURE_DEVOPS_URL', url({ protocols: ['https', 'http'] }), {
    default: 'https://dev.azure.com',
    description: 'Azure DevOps Services (or Server) base URL; the organisation comes from the connection',
  })
  readonly baseUrl: string;

  @Env('AZURE_DEVOPS_API_VERSION', str({ minLength: 1 }), { default: '7.1', description: 'api-version query parameter sent on every call' })
  readonly apiVersion: string;
}
