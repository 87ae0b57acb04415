import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

const STATE_COLUMNS = 'tenantId,state';

/**
 * Completed runs (nearly every sync call) leave the state index: one B-tree write less per run. The
 * index serves the states worth looking for (Failed, Retrying, DeadLettered, Pending, Running); a listing
 * of Completed runs is served by the tenant and connection index like any other listing.
 */
export class LeanRunIndexes1764720000000 implements MigrationInterface {
  name = 'LeanRunIndexes1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.dropStateIndex(queryRunner);
    const state = queryRunner.connection.driver.escape('state');
    await queryRunner.createIndex(
      'integration_runs',
      new TableIndex({ name: 'integration_runs_not_completed', columnNames: ['tenantId', 'state'], where: `${state} <> 'Completed'` }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.dropStateIndex(queryRunner);
    await queryRunner.createIndex('integration_runs', new TableIndex({ columnNames: ['tenantId', 'state'] }));
  }

  private async dropStateIndex(queryRunner: QueryRunner): Promise<void> {
    const runs = await queryRunner.getTable('integration_runs');
    const index = runs?.indices.find((candidate) => candidate.columnNames.join() === STATE_COLUMNS);
    if (index) await queryRunner.dropIndex('integration_runs', index);
  }
}
