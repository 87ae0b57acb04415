import { DynamicModule, Module, Type } from '@nestjs/common';
import { ENTITIES } from './database/entities';
import { MIGRATIONS } from './database/migrations';
import { VENDOR_DESCRIPTORS } from './modules/vendor-catalogue';
import { GrpcModule } from './platform/grpc/grpc.module';
import { IntegrationsModule } from './platform/integrations/integrations.module';
import { MessagingModule } from './platform/messaging/messaging.module';
import { ModelsModule } from './platform/models/models.module';
import { PersistenceModule } from './platform/persistence/persistence.module';
import { PlatformModule, PlatformSettings } from './platform/platform.module';
import { syncBuiltInProviderRows } from './platform/vendors/built-in-provider-rows';
import type { VendorDescriptor } from './platform/vendors/vendor-descriptor';
import { VendorsModule } from './platform/vendors/vendors.module';
import { WebhooksModule } from './platform/webhooks/webhooks.module';
import { RoleDefinition, servesGrpc } from './roles';

export interface CompositionExtras {
  /** Modules mounted beside the roles' own (embedding, tests). */
  extraModules?: Array<Type<unknown> | DynamicModule>;
  /** Global modules whose providers stand in for the platform's (a model gateway of an embedding's or a test's own). */
  overridingModules?: Array<Type<unknown> | DynamicModule>;
  /** Vendor descriptors beside the built-in ones (embedding, tests). */
  extraDescriptors?: readonly VendorDescriptor[];
}

/**
 * The composition root: the platform kernel with every vendor descriptor, the store, the gRPC listener
 * when a selected role serves gRPC, and the Nest modules of the selected roles only.
 */
@Module({})
export class AppModule {
  static forRoles(roles: readonly RoleDefinition[], platform: PlatformSettings, extras: CompositionExtras = {}): DynamicModule {
    const catalogue = VendorsModule.catalogueOf([...VENDOR_DESCRIPTORS, ...(extras.extraDescriptors ?? [])]);
    return {
      module: AppModule,
      imports: [
        // First, so that a global provider of theirs is found before the platform's own.
        ...(extras.overridingModules ?? []),
        PlatformModule.forRoot(platform),
        VendorsModule.forRoot(catalogue),
        PersistenceModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS, afterMigrations: (dataSource) => syncBuiltInProviderRows(dataSource, catalogue) }),
        MessagingModule,
        IntegrationsModule,
        ModelsModule,
        WebhooksModule,
        ...(servesGrpc(roles) ? [GrpcModule] : []),
        ...roles.map((role) => role.load()),
        ...(extras.extraModules ?? []),
      ],
    };
  }
}
