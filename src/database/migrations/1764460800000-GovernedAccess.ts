import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/** Governed vendor access: run lifecycle columns, connection test and probe state, rotations, OAuth tokens, health history. */
export class GovernedAccess1764460800000 implements MigrationInterface {
  name = 'GovernedAccess1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);

    await queryRunner.addColumns('integration_runs', [
      new TableColumn({ ...c.varchar('mode', 8), default: "'sync'" }),
      new TableColumn({ ...c.varchar('purpose', 16), default: "'call'" }),
      new TableColumn(c.json('request', true)),
      new TableColumn({ name: 'responseStatus', type: 'integer', isNullable: true }),
      new TableColumn(c.varchar('failureCategory', 16, true)),
      new TableColumn(c.varchar('failureCode', 64, true)),
    ]);
    // Most runs carry no idempotency key: a partial index keeps them out of it (one index write less per run).
    const runs = await queryRunner.getTable('integration_runs');
    const idempotencyIndex = runs?.indices.find((index) => index.columnNames.join() === 'tenantId,idempotencyKey');
    if (idempotencyIndex) await queryRunner.dropIndex('integration_runs', idempotencyIndex);
    await queryRunner.createIndex(
      'integration_runs',
      new TableIndex({
        name: 'integration_runs_idempotency_key',
        columnNames: ['tenantId', 'idempotencyKey'],
        isUnique: true,
        where: `${queryRunner.connection.driver.escape('idempotencyKey')} IS NOT NULL`,
      }),
    );
    await queryRunner.addColumns('integration_connections', [
      new TableColumn({ name: 'consecutiveProbeFailures', type: 'integer', default: 0 }),
      new TableColumn(c.json('lastTest', true)),
    ]);
    await queryRunner.addColumns('integration_credentials', [new TableColumn({ ...c.varchar('origin', 16), default: "'stored'" })]);

    await queryRunner.createTable(
      new Table({
        name: 'credential_rotations',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('credentialId', 64),
          c.varchar('rotationToken', 200),
          c.varchar('trigger', 16),
          { ...c.varchar('status', 16), default: "'Pending'" },
          c.varchar('candidateVersion', 128, true),
          c.varchar('previousVersion', 128),
          { name: 'attempts', type: 'integer', default: 0 },
          c.varchar('failureCode', 64, true),
          c.varchar('failureMessage', 1000, true),
          c.createdAt(),
          c.timestamp('completedAt', true),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'credentialId', 'rotationToken'], isUnique: true }, { columnNames: ['tenantId', 'credentialId', 'createdAt'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'oauth_tokens',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('credentialId', 64),
          c.varchar('secretName', 127),
          c.varchar('secretVersion', 128),
          c.timestamp('expiresAt'),
          c.timestamp('refreshedAt'),
          c.updatedAt(),
        ],
        indices: [{ columnNames: ['tenantId', 'credentialId'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'connection_health_checks',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('connectionId', 64),
          c.varchar('providerId', 64),
          c.timestamp('checkedAt'),
          { name: 'passed', type: 'boolean' },
          c.varchar('health', 16),
          { name: 'latencyMs', type: 'integer' },
          { name: 'statusCode', type: 'integer', isNullable: true },
          c.varchar('failureCategory', 16, true),
          c.varchar('failureCode', 64, true),
        ],
        indices: [{ columnNames: ['tenantId', 'connectionId', 'checkedAt'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['connection_health_checks', 'oauth_tokens', 'credential_rotations']) await queryRunner.dropTable(table);
    await queryRunner.dropColumn('integration_credentials', 'origin');
    for (const column of ['lastTest', 'consecutiveProbeFailures']) await queryRunner.dropColumn('integration_connections', column);
    for (const column of ['failureCode', 'failureCategory', 'responseStatus', 'request', 'purpose', 'mode']) await queryRunner.dropColumn('integration_runs', column);
    await queryRunner.dropIndex('integration_runs', 'integration_runs_idempotency_key');
    await queryRunner.createIndex('integration_runs', new TableIndex({ columnNames: ['tenantId', 'idempotencyKey'], isUnique: true }));
  }
}
