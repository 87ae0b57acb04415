import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSource, DataSourceOptions, MixedList } from 'typeorm';
import type { LoggerOptions } from 'typeorm/logger/LoggerOptions';
import type { RuntimeOptions } from '../config/runtime.options';
import type { DatabaseOptions } from './database.options';
import { TypeOrmPinoLogger } from './typeorm-logger';

export interface StoreSchema {
  // TypeORM's own type for these lists.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  /** Runs in the process that applied the migrations, once they are applied (reference data kept in step with the code). */
  afterMigrations?: (dataSource: DataSource) => Promise<void>;
}

export function sqliteFilePath(database: DatabaseOptions, runtime: RuntimeOptions): string {
  return resolve(runtime.dataDir, database.sqliteFile);
}

/** TypeORM options for the configured store. `synchronize` is never on: the schema comes from migrations. */
export function buildDataSourceOptions(database: DatabaseOptions, runtime: RuntimeOptions, schema: StoreSchema): DataSourceOptions {
  const common = {
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    migrationsRun: false,
    synchronize: false,
    logger: new TypeOrmPinoLogger(),
    logging: ['error', 'warn', 'migration'] as LoggerOptions,
    maxQueryExecutionTime: 1000,
  };
  if (database.url) {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      schema: database.schema,
      applicationName: `integration-platform:${runtime.appRole}`.slice(0, 63),
      ssl: database.ssl === 'off' ? false : { rejectUnauthorized: database.ssl === 'verify' },
      connectTimeoutMS: database.connectTimeoutMs,
      extra: {
        max: database.poolSize,
        options: `-c search_path="${database.schema}"`,
        idleTimeoutMillis: 30_000,
      },
    };
  }
  mkdirSync(resolve(runtime.dataDir), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: sqliteFilePath(database, runtime),
    enableWAL: true,
    timeout: 10_000,
    prepareDatabase: (db: { pragma(statement: string): unknown }) => {
      // WAL with NORMAL: commits are durable against a process crash and fsync only at checkpoints; a
      // larger page cache and fewer, larger checkpoints keep small write transactions cheap.
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -32768');
      db.pragma('wal_autocheckpoint = 4000');
      db.pragma('foreign_keys = ON');
    },
  };
}
