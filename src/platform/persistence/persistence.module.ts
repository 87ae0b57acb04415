import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { loadOptions } from '../config/options';
import { RuntimeOptions } from '../config/runtime.options';
import { buildDataSourceOptions, sqliteFilePath, StoreSchema } from './data-source-options';
import { DatabaseOptions } from './database.options';
import { runMigrationsExclusively } from './migration-runner';
import { RowReader } from './row-reader';
import { RowWriter } from './row-writer';
import { StoreReadiness } from './store-readiness';

/** The relational store: PostgreSQL when DATABASE_URL is set, SQLite in DATA_DIR otherwise; migrated at boot. */
@Module({})
export class PersistenceModule {
  static forRoot(schema: StoreSchema): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [DatabaseOptions, RuntimeOptions],
          useFactory: (database: DatabaseOptions, runtime: RuntimeOptions) => buildDataSourceOptions(database, runtime, schema),
          dataSourceFactory: async (options?: DataSourceOptions) => {
            const dataSource = await new DataSource(options!).initialize();
            const database = loadOptions(DatabaseOptions);
            if (database.migrations === 'run') {
              const lockFile = database.url ? undefined : `${sqliteFilePath(database, loadOptions(RuntimeOptions))}.migrate-lock`;
              await runMigrationsExclusively(dataSource, lockFile);
              await schema.afterMigrations?.(dataSource);
            }
            return dataSource;
          },
        }),
      ],
      providers: [
        StoreReadiness,
        { provide: RowWriter, inject: [DataSource], useFactory: (dataSource: DataSource) => new RowWriter(dataSource) },
        { provide: RowReader, inject: [DataSource], useFactory: (dataSource: DataSource) => new RowReader(dataSource) },
      ],
      exports: [RowWriter, RowReader],
    };
  }
}
