import { duration, url } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Ollama', 'Options of the OllamaIntegrationService role')
export class OllamaIntegrationOptions {
  @Env('OLLAMA_BASE_URL', url({ protocols: ['https', 'http'] }), { default: 'http://127.0.0.1:11434', description: 'Default Ollama server when a connection names none' })
  readonly baseUrl: string;

  @Env('OLLAMA_REQUEST_TIMEOUT', duration({ min: 1000 }), { default: 300_000, description: 'Timeout of one generation call (local models can be slow)' })
  readonly requestTimeoutMs: number;
}
