import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../src/database/migrations';
import { loadOptions } from '../../src/platform/config/options';
import { RuntimeOptions } from '../../src/platform/config/runtime.options';
import { BusOptions } from '../../src/platform/messaging/bus.options';
import type { MessageBus } from '../../src/platform/messaging/message-bus';
import { createMessageBus } from '../../src/platform/messaging/message-bus.factory';
import { buildDataSourceOptions } from '../../src/platform/persistence/data-source-options';
import { DatabaseOptions } from '../../src/platform/persistence/database.options';
import { runMigrationsExclusively } from '../../src/platform/persistence/migration-runner';
import { createTestSchema, TEST_DATABASE_URL } from './postgres';

export interface StoreBusFixture {
  bus: MessageBus;
  dataSource: DataSource;
  dispose(): Promise<void>;
}

/**
 * A store-backed bus on a fresh SQLite file or a fresh PostgreSQL schema, built the way the platform
 * builds it (same options, migrations and factory), without the rest of the application.
 */
export async function startStoreBus(dialect: 'sqlite' | 'postgres', env: Record<string, string> = {}): Promise<StoreBusFixture> {
  const schema = dialect === 'postgres' ? await createTestSchema() : undefined;
  const variables = {
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-bus-')),
    BUS_POLL_INTERVAL: '200ms',
    ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.name } : {}),
    ...env,
  };
  const database = loadOptions(DatabaseOptions, variables);
  const runtime = loadOptions(RuntimeOptions, variables);
  const dataSource = await new DataSource(buildDataSourceOptions(database, runtime, { entities: [], migrations: MIGRATIONS })).initialize();
  await runMigrationsExclusively(dataSource, schema ? undefined : join(variables.DATA_DIR, 'migrate.lock'));
  const bus = await createMessageBus(loadOptions(BusOptions, variables), database, dataSource);
  return {
    bus,
    dataSource,
    async dispose() {
      await bus.close();
      await dataSource.destroy();
      await schema?.drop();
    },
  };
}
