// A consumer process for the store bus fault tests, built from the compiled platform (dist/): it consumes
// `deliver-webhook` and records each handled messageId in `bus_fault_handled` before completing.
// Env: DATABASE_URL, DATABASE_SCHEMA, BUS_* settings. Prints "ready" once consuming.
require('reflect-metadata');
const { DataSource } = require('typeorm');
const dist = (path) => require(`../../dist/${path}`);
const { MIGRATIONS } = dist('database/migrations');
const { loadOptions } = dist('platform/config/options');
const { RuntimeOptions } = dist('platform/config/runtime.options');
const { BusOptions } = dist('platform/messaging/bus.options');
const { createMessageBus } = dist('platform/messaging/message-bus.factory');
const { buildDataSourceOptions } = dist('platform/persistence/data-source-options');
const { DatabaseOptions } = dist('platform/persistence/database.options');

async function main() {
  const database = loadOptions(DatabaseOptions);
  const bus = loadOptions(BusOptions);
  const dataSource = await new DataSource(buildDataSourceOptions(database, loadOptions(RuntimeOptions), { entities: [], migrations: MIGRATIONS })).initialize();
  const messageBus = await createMessageBus(bus, database, dataSource);
  await messageBus.consume(
    { queue: 'deliver-webhook' },
    async (message, settlement) => {
      await dataSource.query('INSERT INTO bus_fault_handled (message_id, pid) VALUES ($1, $2)', [message.messageId, process.pid]);
      await settlement.complete();
    },
    { concurrency: 16, prefetch: 64, maxDeliveryCount: 100, lockDurationMs: bus.lockDurationMs, maxLockRenewalMs: 60_000 },
  );
  process.stdout.write('ready\n');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
