import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/** Outbound email and SMS: the message records with their lifecycle, and the tenants' message routes. */
export class Messages1764979200000 implements MigrationInterface {
  name = 'Messages1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('channel', 16),
          c.varchar('status', 16),
          c.varchar('routeName', 128, true),
          c.varchar('connectionId', 64, true),
          c.varchar('providerId', 64, true),
          c.varchar('providerMessageId', 256, true),
          c.varchar('idempotencyKey', 256, true),
          c.json('recipients'),
          c.varchar('subject', 998, true),
          { name: 'size', type: 'integer' },
          { name: 'attempts', type: 'integer', default: 0 },
          c.varchar('failureCategory', 32, true),
          c.varchar('failureCode', 128, true),
          { name: 'failureMessage', type: 'text', isNullable: true },
          c.json('history'),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [
          { name: 'messages_idempotency', columnNames: ['tenantId', 'channel', 'idempotencyKey'], isUnique: true, where: '"idempotencyKey" IS NOT NULL' },
          { name: 'messages_by_status', columnNames: ['tenantId', 'channel', 'status', 'createdAt'] },
          { name: 'messages_by_provider_id', columnNames: ['connectionId', 'providerMessageId'], where: '"providerMessageId" IS NOT NULL' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'message_routes',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('channel', 16),
          c.varchar('name', 128),
          { name: 'description', type: 'text', isNullable: true },
          c.json('connectionIds'),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'channel', 'name'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('message_routes');
    await queryRunner.dropTable('messages');
  }
}
