import { duration, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('OpenAI', 'Options of the OpenAIIntegrationService role')
export class OpenAIIntegrationOptions {
  @Env('OPENAI_BASE_URL', url({ protocols: ['https', 'http'] }), { default: 'https://api.openai.com/v1', description: 'OpenAI API base URL' })
  readonly baseUrl: string;

  @Env('OPENAI_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 120_000, description: 'Timeout of one completion or embedding call' })
  readonly requestTimeoutMs: number;
}
