import { DynamicModule, Module } from '@nestjs/common';
import { BUILT_IN_AUTH_STRATEGIES } from '../integrations/auth/built-in-strategies';
import { VendorCatalogue } from './vendor-catalogue';
import type { VendorDescriptor } from './vendor-descriptor';

/** The vendor catalogue, built once from the descriptors the composition root hands in; global, so every module can inject it. */
@Module({})
export class VendorsModule {
  static forRoot(catalogue: VendorCatalogue): DynamicModule {
    return { module: VendorsModule, global: true, providers: [{ provide: VendorCatalogue, useValue: catalogue }], exports: [VendorCatalogue] };
  }

  static catalogueOf(descriptors: readonly VendorDescriptor[]): VendorCatalogue {
    return new VendorCatalogue(descriptors, BUILT_IN_AUTH_STRATEGIES);
  }
}
