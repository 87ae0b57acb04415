import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideOptions } from '../../platform/config/options.provider';
import { IntegrationProvider } from './entities/integration-provider.entity';
import { ProvidersController } from './providers/providers.controller';
import { ProvidersService } from './providers/providers.service';
import { VendorRegistryOptions } from './vendor-api-client-registry.options';

/** The VendorApiClientRegistryService role: providers now; clients, connections and credentials follow. */
@Module({
  imports: [TypeOrmModule.forFeature([IntegrationProvider])],
  controllers: [ProvidersController],
  providers: [provideOptions(VendorRegistryOptions), ProvidersService],
  exports: [VendorRegistryOptions, ProvidersService],
})
export class VendorApiClientRegistryModule {
  static readonly options = [VendorRegistryOptions];
}
