import { duration, str } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Azure OpenAI', 'Options of the AzureOpenAIIntegrationService role')
export class AzureOpenAIIntegrationOptions {
  @Env('AZURE_OPENAI_API_VERSION', str({ minLength: 1 }), { default: '2024-10-21', description: 'api-version of the Azure OpenAI data-plane API' })
  readonly apiVersion: string;

  @Env('AZURE_OPENAI_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 120_000, description: 'Timeout of one completion or embedding call' })
  readonly requestTimeoutMs: number;
}
