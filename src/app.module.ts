import { DynamicModule, Module, Type } from '@nestjs/common';
import { ENTITIES } from './database/entities';
import { MIGRATIONS } from './database/migrations';
import { IntegrationsModule } from './platform/integrations/integrations.module';
import { MessagingModule } from './platform/messaging/messaging.module';
import { WebhooksModule } from './platform/webhooks/webhooks.module';
import { PersistenceModule } from './platform/persistence/persistence.module';
import { PlatformModule, PlatformSettings } from './platform/platform.module';
import type { RoleDefinition } from './roles';

/** The composition root: the platform kernel, the store, and the modules of the selected roles only. */
@Module({})
export class AppModule {
  static forRoles(roles: readonly RoleDefinition[], platform: PlatformSettings, extraModules: Array<Type<unknown> | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(platform),
        PersistenceModule.forRoot({ entities: ENTITIES, migrations: MIGRATIONS }),
        MessagingModule,
        IntegrationsModule,
        WebhooksModule,
        ...roles.map((role) => role.load()),
        ...extraModules,
      ],
    };
  }
}
