import { duration, oneOf } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Cloud provider adapter', 'Options of the CloudProviderAdapterService role')
export class CloudProviderAdapterOptions {
  @Env('CLOUD_DEFAULT_PROVIDER', oneOf(['azure'] as const), { default: 'azure', description: 'Cloud used when a request names no connection' })
  readonly defaultProvider: string;

  @Env('CLOUD_OPERATION_TIMEOUT', duration({ min: 1000 }), { default: 60_000, description: 'Timeout of one cloud operation' })
  readonly operationTimeoutMs: number;
}
