import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Tables of the store-backed bus: messages with a visibility time (scheduled delivery, leases and
 * backoff are all "not visible before"), dead letters, and the duplicate-detection window.
 * Times are epoch milliseconds (bigint) so both dialects compare them the same way.
 */
export class StoreBus1764288000000 implements MigrationInterface {
  name = 'StoreBus1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.driver.options.type === 'postgres';
    const id = postgres
      ? { name: 'id', type: 'bigint', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const }
      : { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    const message = [
      { name: 'entity', type: 'varchar', length: '300' },
      { name: 'message_id', type: 'varchar', length: '256' },
      { name: 'correlation_id', type: 'varchar', length: '256', isNullable: true },
      { name: 'subject', type: 'varchar', length: '256' },
      { name: 'tenant_id', type: 'varchar', length: '128' },
      { name: 'traceparent', type: 'varchar', length: '64', isNullable: true },
      { name: 'content_type', type: 'varchar', length: '128', isNullable: true },
      { name: 'properties', type: 'text', isNullable: true },
      { name: 'body', type: 'text' },
      { name: 'enqueued_at', type: 'bigint' },
      { name: 'delivery_count', type: 'integer', default: 0 },
    ];

    await queryRunner.createTable(
      new Table({
        name: 'bus_messages',
        columns: [id, ...message, { name: 'visible_at', type: 'bigint' }, { name: 'lock_token', type: 'varchar', length: '36', isNullable: true }],
        indices: [{ name: 'bus_messages_ready', columnNames: ['entity', 'visible_at', 'id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bus_dead_letters',
        columns: [
          id,
          ...message,
          { name: 'reason', type: 'varchar', length: '256' },
          { name: 'description', type: 'varchar', length: '1024', isNullable: true },
          { name: 'dead_lettered_at', type: 'bigint' },
        ],
        indices: [{ name: 'bus_dead_letters_entity', columnNames: ['entity', 'id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bus_duplicates',
        columns: [
          { name: 'entity', type: 'varchar', length: '300', isPrimary: true },
          { name: 'message_id', type: 'varchar', length: '256', isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'bus_duplicates_expiry', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('bus_duplicates');
    await queryRunner.dropTable('bus_dead_letters');
    await queryRunner.dropTable('bus_messages');
  }
}
