import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/** Small inbound payloads kept in their delivery row (one write instead of a file and a row), and the body hash that tells a retry from a conflicting body. */
export class InboundPayloads1764633600000 implements MigrationInterface {
  name = 'InboundPayloads1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('webhook_deliveries', [
      new TableColumn(c.binary('payloadBody', true)),
      new TableColumn({ name: 'payloadHeaders', type: 'text', isNullable: true }),
      new TableColumn(c.varchar('payloadSha256', 64, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['payloadSha256', 'payloadHeaders', 'payloadBody']) await queryRunner.dropColumn('webhook_deliveries', column);
  }
}
