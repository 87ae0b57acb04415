import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/**
 * The model gateway: a model call's usage on its run (model, tokens, time to first token), the gateway
 * request its attempts share, and the tenants' model routes.
 */
export class ModelGateway1764892800000 implements MigrationInterface {
  name = 'ModelGateway1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    const count = (name: string) => new TableColumn({ name, type: 'integer', isNullable: true });
    await queryRunner.addColumns('integration_runs', [
      new TableColumn(c.varchar('requestId', 64, true)),
      new TableColumn(c.varchar('model', 128, true)),
      count('promptTokens'),
      count('completionTokens'),
      count('totalTokens'),
      count('firstTokenMs'),
    ]);
    await queryRunner.createIndex(
      'integration_runs',
      new TableIndex({ name: 'integration_runs_request', columnNames: ['tenantId', 'requestId'], where: '"requestId" IS NOT NULL' }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'model_routes',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('name', 128),
          { name: 'description', type: 'text', isNullable: true },
          c.json('targets'),
          c.json('fallbackOn'),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'name'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('model_routes');
    await queryRunner.dropIndex('integration_runs', 'integration_runs_request');
    for (const column of ['firstTokenMs', 'totalTokens', 'completionTokens', 'promptTokens', 'model', 'requestId']) await queryRunner.dropColumn('integration_runs', column);
  }
}
