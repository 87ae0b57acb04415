import type { Database, Statement } from 'better-sqlite3';
import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { bulkInsert } from './bulk-insert';
import { assignedColumns, comparedColumns, comparedValue, placeholder, sqliteConnection, tableReference } from './plain-sql';
import type { StoreTransaction } from './store-transaction';

const MAX_PREPARED_UPDATES = 256;

export interface RowBatch {
  target: EntityTarget<ObjectLiteral>;
  rows: readonly ObjectLiteral[];
}

/** A conditional update; `expectAffected` makes the whole write roll back (RowConflictError) unless exactly that many rows changed. */
export interface RowUpdate {
  target: EntityTarget<ObjectLiteral>;
  where: ObjectLiteral;
  set: ObjectLiteral;
  expectAffected?: number;
}

/** New rows and conditional updates written together. */
export interface RowChange {
  inserts?: readonly RowBatch[];
  updates?: readonly RowUpdate[];
}

/** Several writers' changes as one: their updates (in order), then their inserts, one batch per entity (one multi-row INSERT on PostgreSQL). */
export function mergeRowChanges(changes: readonly RowChange[]): RowChange {
  const rowsByTarget = new Map<EntityTarget<ObjectLiteral>, ObjectLiteral[]>();
  for (const batch of changes.flatMap((change) => change.inserts ?? [])) {
    const rows = rowsByTarget.get(batch.target) ?? [];
    rows.push(...batch.rows);
    rowsByTarget.set(batch.target, rows);
  }
  return {
    updates: changes.flatMap((change) => change.updates ?? []),
    inserts: [...rowsByTarget].map(([target, rows]) => ({ target, rows })),
  };
}

/** A conditional update found the row moved on: nothing of the write was stored. */
export class RowConflictError extends Error {
  constructor(readonly table: string) {
    super(`A row of ${table} changed concurrently; nothing was written`);
    this.name = 'RowConflictError';
  }
}

/**
 * Writes batches of new rows of several entities in one transaction, as cheaply as the store allows.
 * SQLite: prepared statements on the store's own better-sqlite3 connection inside one synchronous
 * transaction (tens of microseconds, no ORM in the way). PostgreSQL: one multi-row INSERT per entity
 * in one transaction. Values are converted by TypeORM's driver, so rows read back like any other.
 */
export class RowWriter {
  private readonly sqlite?: Database;
  private readonly statements = new Map<EntityTarget<ObjectLiteral>, { statement: Statement; values: (row: ObjectLiteral) => unknown[] }>();
  private readonly updates = new Map<string, Statement>();
  private readonly updateSqlByShape = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {
    this.sqlite = sqliteConnection(dataSource);
  }

  /**
   * Inserts and conditional updates in one transaction, with the same `alongside` as `insert`. On SQLite
   * the transaction never spans an await: the embedded store has one connection, so an open asynchronous
   * transaction would take in whatever other requests write meanwhile.
   */
  async write(change: RowChange, alongside?: (transaction: StoreTransaction) => void | Promise<void>): Promise<void> {
    if ((change.inserts ?? []).every((batch) => batch.rows.length === 0) && (change.updates ?? []).length === 0 && !alongside) return;
    const updates = (change.updates ?? []).map((update) => ({ ...update, statement: this.updateStatement(update) }));
    const inserts = (change.inserts ?? []).filter((batch) => batch.rows.length > 0);
    if (this.sqlite) {
      const db = this.sqlite;
      const prepared = inserts.map((batch) => ({ ...this.statementFor(batch.target), rows: batch.rows }));
      db.transaction(() => {
        for (const update of updates) {
          const { changes } = this.preparedUpdate(update.statement.sql).run(...update.statement.parameters);
          if (update.expectAffected !== undefined && changes !== update.expectAffected) throw new RowConflictError(update.statement.table);
        }
        for (const { statement, values, rows } of prepared) {
          for (const row of rows) statement.run(values(row));
        }
        if (alongside && alongside({ dialect: 'sqlite', db }) instanceof Promise) {
          throw new TypeError('Writes joining a SQLite transaction must be synchronous');
        }
      })();
      return;
    }
    await this.dataSource.transaction(async (manager: EntityManager) => {
      for (const update of updates) {
        const [, affected] = (await manager.query(update.statement.sql, update.statement.parameters)) as [unknown, number];
        if (update.expectAffected !== undefined && affected !== update.expectAffected) throw new RowConflictError(update.statement.table);
      }
      for (const batch of inserts) await bulkInsert(manager, batch.target, batch.rows);
      await alongside?.({ dialect: 'postgres', query: (sql, parameters) => manager.query(sql, parameters) });
    });
  }

  /**
   * Equality conditions and plain values (every hot-path update) run a statement rendered once per shape
   * (entity, columns set, columns compared), with the same assignments TypeORM's query builder makes
   * (values converted by the driver, the version column incremented, the update-date column set); anything
   * else (an `In` condition, a null comparison) is built by the query builder.
   */
  private updateStatement(update: RowUpdate): { sql: string; parameters: unknown[]; table: string } {
    const metadata = this.dataSource.getMetadata(update.target);
    const driver = this.dataSource.driver;
    const assigned = assignedColumns(metadata, update.set);
    const compared = comparedColumns(metadata, update.where);
    if (!assigned || !compared || assigned.some((column) => !column.isUpdate)) return this.builtUpdateStatement(update, metadata);
    const parameters = [
      ...assigned.map((column) => driver.preparePersistentValue(update.set[column.propertyName], column)),
      ...compared.map((column) => comparedValue(driver, column, update.where[column.propertyName])),
    ];
    return { sql: this.updateSql(metadata, assigned, compared), parameters, table: metadata.tableName };
  }

  private updateSql(metadata: EntityMetadata, assigned: readonly ColumnMetadata[], compared: readonly ColumnMetadata[]): string {
    const shape = `${metadata.tableName}\u0000${assigned.map((column) => column.propertyName).join(',')}\u0000${compared.map((column) => column.propertyName).join(',')}`;
    const cached = this.updateSqlByShape.get(shape);
    if (cached) return cached;
    const driver = this.dataSource.driver;
    const name = (column: ColumnMetadata) => driver.escape(column.databaseName);
    const assignments = assigned.map((column, index) => `${name(column)} = ${placeholder(driver, index + 1)}`);
    const { versionColumn, updateDateColumn } = metadata;
    if (versionColumn && !assigned.includes(versionColumn)) assignments.push(`${name(versionColumn)} = ${name(versionColumn)} + 1`);
    if (updateDateColumn && !assigned.includes(updateDateColumn)) assignments.push(`${name(updateDateColumn)} = CURRENT_TIMESTAMP`);
    const conditions = compared.map((column, index) => `${name(column)} = ${placeholder(driver, assigned.length + index + 1)}`);
    const sql = `UPDATE ${tableReference(driver, metadata)} SET ${assignments.join(', ')}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
    if (this.updateSqlByShape.size >= MAX_PREPARED_UPDATES) this.updateSqlByShape.clear();
    this.updateSqlByShape.set(shape, sql);
    return sql;
  }

  private builtUpdateStatement(update: RowUpdate, metadata: EntityMetadata): { sql: string; parameters: unknown[]; table: string } {
    const [sql, parameters] = this.dataSource.createQueryBuilder().update(update.target).set(update.set).where(update.where).getQueryAndParameters();
    return {
      sql,
      parameters: parameters.map((value) => (value instanceof Date ? this.dataSource.driver.preparePersistentValue(value, { type: Date } as ColumnMetadata) : value)),
      table: metadata.tableName,
    };
  }

  /**
   * `alongside` joins the same transaction (e.g. the store bus writing the messages that announce these
   * rows): everything commits together or not at all. On SQLite it must write synchronously.
   */
  insert(batches: readonly RowBatch[], alongside?: (transaction: StoreTransaction) => void | Promise<void>): Promise<void> {
    return this.write({ inserts: batches }, alongside);
  }

  /** Updates take a handful of shapes (which columns are set, which compared): each is prepared once. */
  private preparedUpdate(sql: string): Statement {
    let statement = this.updates.get(sql);
    if (!statement) {
      if (this.updates.size >= MAX_PREPARED_UPDATES) this.updates.clear();
      statement = this.sqlite!.prepare(sql);
      this.updates.set(sql, statement);
    }
    return statement;
  }

  private statementFor(target: EntityTarget<ObjectLiteral>): { statement: Statement; values: (row: ObjectLiteral) => unknown[] } {
    const cached = this.statements.get(target);
    if (cached) return cached;
    const metadata = this.dataSource.getMetadata(target);
    const driver = this.dataSource.driver;
    const columns = metadata.columns.filter((column) => !column.isVirtual);
    const sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    // Plain properties are read directly; embedded or transformed columns go through TypeORM's own accessors.
    const readers = columns.map((column: ColumnMetadata) =>
      column.embeddedMetadata || column.transformer
        ? (row: ObjectLiteral) => driver.preparePersistentValue(column.getEntityValue(row), column)
        : (row: ObjectLiteral) => driver.preparePersistentValue(row[column.propertyName], column),
    );
    const entry = { statement: this.sqlite!.prepare(sql), values: (row: ObjectLiteral) => readers.map((read) => read(row)) };
    this.statements.set(target, entry);
    return entry;
  }
}
