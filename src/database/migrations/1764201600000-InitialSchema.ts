import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * The eight aggregates of the domain, every table partitioned by tenantId, plus the built-in providers.
 * Written with TypeORM's schema builder so one migration serves PostgreSQL and SQLite.
 */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'integration_providers',
        columns: [
          { ...c.varchar('tenantId', 128), isPrimary: true },
          { ...c.varchar('id', 64), isPrimary: true },
          c.varchar('displayName', 200),
          c.varchar('category', 32),
          c.json('capabilities'),
          c.varchar('authModel', 32),
          c.varchar('webhookVerifier', 32, true),
          c.varchar('defaultBaseUrl', 2048, true),
          { ...c.varchar('status', 16), default: "'Active'" },
          { name: 'builtIn', type: 'boolean', default: c.false },
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [{ columnNames: ['id'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'external_api_clients',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('providerId', 64),
          { name: 'version', type: 'integer' },
          c.varchar('baseUrl', 2048),
          c.varchar('apiVersion', 64, true),
          c.json('rateLimitProfile'),
          c.json('retryPolicy'),
          { ...c.varchar('status', 16), default: "'Active'" },
          c.createdAt(),
        ],
        indices: [{ columnNames: ['tenantId', 'providerId', 'version'], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'integration_connections',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('projectId', 128, true),
          c.varchar('providerId', 64),
          c.varchar('displayName', 200),
          c.varchar('authMode', 32),
          c.varchar('credentialId', 64, true),
          c.json('webhook', true),
          { ...c.varchar('status', 16), default: "'Pending'" },
          { ...c.varchar('health', 16), default: "'Unknown'" },
          c.json('configuration'),
          c.json('rateLimitBudget', true),
          c.json('retryPolicy', true),
          c.timestamp('lastCheckedAt', true),
          c.timestamp('establishedAt', true),
          c.timestamp('retiredAt', true),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'status'] }, { columnNames: ['tenantId', 'providerId'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'integration_credentials',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('name', 200),
          { ...c.varchar('kind', 32), default: "'secret'" },
          c.varchar('secretRef', 512),
          c.varchar('secretVersion', 128),
          c.varchar('previousSecretVersion', 128, true),
          c.timestamp('previousVersionValidUntil', true),
          c.varchar('fingerprint', 80),
          c.json('rotationPolicy', true),
          { ...c.varchar('status', 16), default: "'Active'" },
          c.timestamp('lastRotatedAt', true),
          c.timestamp('nextRotationAt', true),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'name'], isUnique: true }, { columnNames: ['nextRotationAt'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_subscriptions',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('url', 2048),
          c.json('eventTypes'),
          c.varchar('description', 500, true),
          c.varchar('signingSecretRef', 512),
          c.varchar('previousSigningSecretRef', 512, true),
          c.timestamp('previousSecretValidUntil', true),
          { ...c.varchar('status', 16), default: "'Active'" },
          c.varchar('disabledReason', 500, true),
          { name: 'consecutiveDeadLetters', type: 'integer', default: 0 },
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [{ columnNames: ['tenantId', 'status'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('direction', 3),
          c.varchar('connectionId', 64, true),
          c.varchar('subscriptionId', 64, true),
          c.varchar('vendorDeliveryId', 256, true),
          c.varchar('eventId', 256),
          c.varchar('eventType', 256),
          { ...c.varchar('status', 16), default: "'Pending'" },
          c.varchar('payloadRef', 1024, true),
          { name: 'attemptCount', type: 'integer', default: 0 },
          c.timestamp('nextAttemptAt', true),
          c.varchar('lastError', 1000, true),
          c.timestamp('completedAt', true),
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [
          { columnNames: ['tenantId', 'connectionId', 'vendorDeliveryId'], isUnique: true },
          { columnNames: ['tenantId', 'subscriptionId', 'eventId'], isUnique: true },
          { columnNames: ['tenantId', 'status'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery_attempts',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('deliveryId', 64),
          { name: 'attemptNumber', type: 'integer' },
          c.timestamp('attemptedAt'),
          { name: 'statusCode', type: 'integer', isNullable: true },
          { name: 'latencyMs', type: 'integer' },
          c.varchar('error', 1000, true),
          c.varchar('responseExcerpt', 2048, true),
        ],
        indices: [{ columnNames: ['tenantId', 'deliveryId', 'attemptNumber'], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'integration_runs',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('connectionId', 64),
          c.varchar('providerId', 64),
          c.varchar('operation', 256),
          { ...c.varchar('state', 16), default: "'Pending'" },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'latencyMs', type: 'integer', isNullable: true },
          c.varchar('externalRef', 256, true),
          c.varchar('idempotencyKey', 256, true),
          c.varchar('traceId', 32, true),
          c.timestamp('startedAt', true),
          c.timestamp('completedAt', true),
          c.createdAt(),
          c.updatedAt(),
          c.rowVersion(),
        ],
        indices: [
          { columnNames: ['tenantId', 'connectionId', 'createdAt'] },
          { columnNames: ['tenantId', 'state'] },
          { columnNames: ['tenantId', 'idempotencyKey'], isUnique: true },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'integration_run_attempts',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('runId', 64),
          { name: 'attemptNumber', type: 'integer' },
          c.timestamp('startedAt'),
          { name: 'latencyMs', type: 'integer' },
          { name: 'statusCode', type: 'integer', isNullable: true },
          c.varchar('failureCategory', 16, true),
          c.varchar('error', 1000, true),
        ],
        indices: [{ columnNames: ['tenantId', 'runId', 'attemptNumber'], isUnique: true }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'integration_failures',
        columns: [
          c.id(),
          c.tenantId(),
          c.varchar('runId', 64, true),
          c.varchar('deliveryId', 64, true),
          c.varchar('connectionId', 64, true),
          c.varchar('category', 16),
          c.varchar('code', 64),
          c.varchar('message', 1000),
          { name: 'retryable', type: 'boolean' },
          { ...c.createdAt(), name: 'occurredAt' },
        ],
        indices: [{ columnNames: ['tenantId', 'runId'] }, { columnNames: ['tenantId', 'deliveryId'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'integration_failures',
      'integration_run_attempts',
      'integration_runs',
      'webhook_delivery_attempts',
      'webhook_deliveries',
      'webhook_subscriptions',
      'integration_credentials',
      'integration_connections',
      'external_api_clients',
      'integration_providers',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}

export function columnKit(queryRunner: QueryRunner) {
  const postgres = queryRunner.connection.driver.options.type === 'postgres';
  const timestampType = postgres ? 'timestamptz' : 'datetime';
  const now = postgres ? 'now()' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
  const varchar = (name: string, length: number, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
  });
  return {
    false: postgres ? 'false' : '0',
    varchar,
    id: (): TableColumnOptions => ({ ...varchar('id', 64), isPrimary: true }),
    tenantId: (): TableColumnOptions => varchar('tenantId', 128),
    json: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
    binary: (name: string, nullable = false): TableColumnOptions => ({ name, type: postgres ? 'bytea' : 'blob', isNullable: nullable }),
    timestamp: (name: string, nullable = false): TableColumnOptions => ({ name, type: timestampType, isNullable: nullable }),
    createdAt: (): TableColumnOptions => ({ name: 'createdAt', type: timestampType, default: now }),
    updatedAt: (): TableColumnOptions => ({ name: 'updatedAt', type: timestampType, default: now }),
    rowVersion: (): TableColumnOptions => ({ name: 'rowVersion', type: 'integer' }),
  };
}
