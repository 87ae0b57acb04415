import { duration } from '../../platform/config/codecs';
import { Env, OptionsSection } from '../../platform/config/options';

@OptionsSection('Vendor registry', 'VendorApiClientRegistryService: providers, clients, connections, credentials')
export class VendorRegistryOptions {
  @Env('CONNECTION_TEST_TIMEOUT', duration({ min: 100 }), { default: 10_000, description: 'How long the first test of a new connection may take' })
  readonly connectionTestTimeoutMs: number;
}
