import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/** Webhooks end to end: delivery attempt series (replays) and the transactional outbox for buses outside the store. */
export class Webhooks1764547200000 implements MigrationInterface {
  name = 'Webhooks1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('webhook_deliveries', [
      new TableColumn({ name: 'series', type: 'integer', default: 1 }),
      new TableColumn({ name: 'seriesAttempt', type: 'integer', default: 0 }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'outbox_messages',
        columns: [c.id(), c.varchar('kind', 8), c.varchar('destination', 64), { name: 'message', type: 'text' }, c.createdAt()],
        indices: [{ columnNames: ['createdAt'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_messages');
    for (const column of ['seriesAttempt', 'series']) await queryRunner.dropColumn('webhook_deliveries', column);
  }
}
