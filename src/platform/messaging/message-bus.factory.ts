import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { AzureCredentials } from '../azure/azure-credentials';
import type { DatabaseOptions } from '../persistence/database.options';
import { sqliteConnection } from '../persistence/plain-sql';
import type { BusOptions } from './bus.options';
import type { MessageBus } from './message-bus';

const logger = new Logger('MessageBus');

/**
 * Chooses the adapter from configuration. The Azure SDK is only loaded when Service Bus is configured,
 * so the embedded default does not pay for it at boot.
 */
export async function createMessageBus(options: BusOptions, database: DatabaseOptions, dataSource: DataSource, azure?: AzureCredentials): Promise<MessageBus> {
  if (options.kind === 'service-bus') return createServiceBus(options, azure);

  const { StoreMessageBus } = await import('./store/store-message-bus');
  const settings = { duplicateDetectionWindowMs: options.duplicateDetectionWindowMs, pollIntervalMs: options.pollIntervalMs };
  if (dataSource.options.type === 'postgres') {
    const { PostgresBusTableStore } = await import('./store/postgres-bus-table-store');
    // The store bus shares TypeORM's pool (its connections already carry the schema's search_path).
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const channel = `platform_bus_${database.schema}`;
    const ssl = database.ssl === 'off' ? false : { rejectUnauthorized: database.ssl === 'verify' };
    return new StoreMessageBus(new PostgresBusTableStore(pool, channel), {
      ...settings,
      listen: { connection: { connectionString: database.url, ssl, application_name: `integration-platform:bus-listener:${database.schema}` }, channel },
    });
  }
  const { SqliteBusTableStore } = await import('./store/sqlite-bus-table-store');
  return new StoreMessageBus(new SqliteBusTableStore(sqliteConnection(dataSource)!), settings);
}

async function createServiceBus(options: BusOptions, azure: AzureCredentials | undefined): Promise<MessageBus> {
  const { ServiceBusAdministrationClient, ServiceBusClient } = await import('@azure/service-bus');
  const { ServiceBusMessageBus } = await import('./service-bus/service-bus-message-bus');
  let connection;
  if (options.connectionString) {
    connection = {
      client: new ServiceBusClient(options.connectionString),
      administration: new ServiceBusAdministrationClient(options.connectionString),
    };
  } else {
    if (!azure) throw new Error('SERVICEBUS_NAMESPACE needs an Azure credential');
    const credential = await azure.get();
    connection = {
      client: new ServiceBusClient(options.namespace!, credential),
      administration: new ServiceBusAdministrationClient(options.namespace!, credential),
    };
  }
  const bus = new ServiceBusMessageBus(connection);
  if (options.createEntities) {
    const created = await bus.createMissingEntities();
    logger.log({ msg: 'Created missing Service Bus entities (SERVICEBUS_CREATE_ENTITIES)', created });
  }
  return bus;
}
