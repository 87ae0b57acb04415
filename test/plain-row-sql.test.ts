import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import { ENTITIES } from '../src/database/entities';
import { MIGRATIONS } from '../src/database/migrations';
import { loadOptions } from '../src/platform/config/options';
import { RuntimeOptions } from '../src/platform/config/runtime.options';
import { buildDataSourceOptions } from '../src/platform/persistence/data-source-options';
import { DatabaseOptions } from '../src/platform/persistence/database.options';
import { runMigrationsExclusively } from '../src/platform/persistence/migration-runner';
import { RowReader } from '../src/platform/persistence/row-reader';
import { RowConflictError, RowWriter } from '../src/platform/persistence/row-writer';
import { WebhookSubscription } from '../src/platform/webhooks/entities/webhook-subscription.entity';

const TENANT = 'tenant-plain-sql';

/**
 * RowReader and RowWriter's plain updates (the delivery worker's per-message reads and writes) against
 * what TypeORM's repository does with the same rows: the same values read back, the same columns
 * maintained. (PostgreSQL runs them in the webhook-delivery-faults test, through `node dist/main.js`.)
 */
describe('plain-SQL row reads and updates (SQLite)', () => {
  let dataSource: DataSource;
  let reader: RowReader;
  let writer: RowWriter;

  const subscription = (id: string): Partial<WebhookSubscription> => ({
    id,
    tenantId: TENANT,
    url: 'https://hooks.example.com/in',
    eventTypes: ['a.b', '*'],
    description: null,
    signingSecretRef: 'secret-ref',
    previousSigningSecretRef: null,
    previousSecretValidUntil: new Date('2026-05-04T03:02:01.234Z'),
    status: 'Active',
    disabledReason: null,
    consecutiveDeadLetters: 2,
  });

  beforeAll(async () => {
    const variables = { DATA_DIR: mkdtempSync(join(tmpdir(), 'ip-plain-sql-')) };
    const options = buildDataSourceOptions(loadOptions(DatabaseOptions, variables), loadOptions(RuntimeOptions, variables), { entities: ENTITIES, migrations: MIGRATIONS });
    dataSource = await new DataSource(options).initialize();
    await runMigrationsExclusively(dataSource, join(variables.DATA_DIR, 'migrate.lock'));
    reader = new RowReader(dataSource);
    writer = new RowWriter(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('reads a row exactly as findOneBy does (dates, JSON, nulls, the entity class), and null for no row', async () => {
    await dataSource.getRepository(WebhookSubscription).insert(subscription('sub-read'));
    const expected = await dataSource.getRepository(WebhookSubscription).findOneByOrFail({ tenantId: TENANT, id: 'sub-read' });

    const read = await reader.findOneBy(WebhookSubscription, { tenantId: TENANT, id: 'sub-read' });
    expect(read).toBeInstanceOf(WebhookSubscription);
    expect(read).toEqual(expected);
    expect(read!.previousSecretValidUntil).toEqual(new Date('2026-05-04T03:02:01.234Z'));
    expect(await reader.findOneBy(WebhookSubscription, { tenantId: 'another-tenant', id: 'sub-read' })).toBeNull();
    await expect(reader.findOneBy(WebhookSubscription, { tenantId: TENANT, description: null })).rejects.toThrow(TypeError);
  });

  it('updates with the query builder’s effects: values converted, the version incremented, the update date set, conflicts detected', async () => {
    await dataSource.getRepository(WebhookSubscription).insert(subscription('sub-write'));
    const before = await dataSource.getRepository(WebhookSubscription).findOneByOrFail({ tenantId: TENANT, id: 'sub-write' });
    await dataSource.query(`UPDATE webhook_subscriptions SET updatedAt = '2000-01-01 00:00:00' WHERE id = 'sub-write'`);
    const validUntil = new Date('2027-01-02T03:04:05.678Z');

    await writer.write({
      updates: [
        {
          target: WebhookSubscription,
          set: { eventTypes: ['x.y'], disabledReason: null, previousSecretValidUntil: validUntil, consecutiveDeadLetters: 0 },
          where: { tenantId: TENANT, id: 'sub-write', rowVersion: before.rowVersion },
          expectAffected: 1,
        },
      ],
    });
    const after = await dataSource.getRepository(WebhookSubscription).findOneByOrFail({ tenantId: TENANT, id: 'sub-write' });
    expect(after).toMatchObject({ eventTypes: ['x.y'], disabledReason: null, previousSecretValidUntil: validUntil, consecutiveDeadLetters: 0, rowVersion: before.rowVersion + 1 });
    expect(after.updatedAt.getTime()).toBeGreaterThan(Date.parse('2001-01-01T00:00:00Z'));

    // The same version again: the row moved on, nothing is written.
    const stale = writer.write({
      updates: [{ target: WebhookSubscription, set: { status: 'Disabled' }, where: { tenantId: TENANT, id: 'sub-write', rowVersion: before.rowVersion }, expectAffected: 1 }],
    });
    await expect(stale).rejects.toBeInstanceOf(RowConflictError);
    expect(await reader.findOneBy(WebhookSubscription, { tenantId: TENANT, id: 'sub-write' })).toMatchObject({ status: 'Active', rowVersion: before.rowVersion + 1 });

    // Conditions plain SQL cannot express still go through the query builder.
    await writer.write({ updates: [{ target: WebhookSubscription, set: { status: 'Disabled' }, where: { tenantId: TENANT, id: In(['sub-write', 'sub-read']) } }] });
    expect((await dataSource.getRepository(WebhookSubscription).findBy({ tenantId: TENANT })).map((row) => row.status)).toEqual(['Disabled', 'Disabled']);
  });
});
