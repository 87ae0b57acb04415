import { Module } from '@nestjs/common';
import { provideOptions } from '../../platform/config/options.provider';
import { CloudProviderAdapterOptions } from './cloud-provider-adapter.options';

/** The CloudProviderAdapterService role. Its capability lands with its own issue; until then it mounts nothing but its options. */
@Module({
  providers: [provideOptions(CloudProviderAdapterOptions)],
  exports: [CloudProviderAdapterOptions],
})
export class CloudProviderAdapterModule {
  static readonly options = [CloudProviderAdapterOptions];
}
