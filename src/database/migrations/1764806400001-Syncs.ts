import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/** Syncs: each configured sync source with its pass in progress, the records it keeps, and its conditional-request cache. */
export class Syncs1764806400001 implements MigrationInterface {
  name = 'Syncs1764806400001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    const integer = (name: string, defaultValue?: number) => ({ name, type: 'integer', ...(defaultValue === undefined ? {} : { default: defaultValue }) });
    const recordKey = [c.varchar('tenantId', 128), c.varchar('connectionId', 64), c.varchar('syncName', 100)].map((column) => ({ ...column, isPrimary: true }));

    await queryRunner.createTable(
      new Table({
        name: 'integration_syncs',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('connectionId', 64),
          c.varchar('name', 100),
          { name: 'enabled', type: 'boolean' },
          integer('intervalMs'),
          integer('fullPassEvery'),
          { ...c.varchar('state', 16), default: "'Idle'" },
          integer('passNumber', 0),
          c.varchar('passId', 64, true),
          c.varchar('passKind', 16, true),
          c.varchar('passSince', 64, true),
          { name: 'pageCursor', type: 'text', isNullable: true },
          c.varchar('passWatermark', 64, true),
          c.json('passCounts'),
          c.varchar('watermark', 64, true),
          c.json('lastPass', true),
          c.json('lastError', true),
          c.varchar('leaseOwner', 64, true),
          c.timestamp('lastRunAt', true),
          c.timestamp('lastCompletedAt', true),
          c.timestamp('nextRunAt', true),
          c.timestamp('runRequestedAt', true),
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [{ columnNames: ['tenantId', 'connectionId', 'name'], isUnique: true }, { columnNames: ['enabled', 'nextRunAt'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'external_records',
        // SQLite: the primary key is the table (one B-tree less to write per record); PostgreSQL ignores it.
        withoutRowid: true,
        columns: [
          ...recordKey,
          { ...c.varchar('externalId', 256), isPrimary: true },
          c.varchar('contentHash', 64),
          { name: 'data', type: 'text' },
          c.varchar('vendorUpdatedAt', 64, true),
          c.timestamp('firstSeenAt'),
          c.timestamp('changedAt'),
          c.varchar('changeKind', 8),
          c.timestamp('deletedAt', true),
          integer('lastSeenPass'),
        ],
        indices: [{ name: 'external_records_changed', columnNames: ['tenantId', 'connectionId', 'syncName', 'changedAt', 'externalId'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sync_pages',
        withoutRowid: true,
        columns: [
          ...recordKey,
          { ...c.varchar('pageKey', 64), isPrimary: true },
          c.varchar('etag', 512),
          { name: 'next', type: 'text', isNullable: true },
          { name: 'recordIds', type: 'text' },
          integer('lastPass'),
          c.timestamp('fetchedAt'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['sync_pages', 'external_records', 'integration_syncs']) await queryRunner.dropTable(table);
  }
}
