import { FindOperator } from 'typeorm';
import type { Database } from 'better-sqlite3';
import type { DataSource, Driver, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** The embedded store's own better-sqlite3 connection (statements prepared on it skip TypeORM); undefined on PostgreSQL. */
export function sqliteConnection(dataSource: DataSource): Database | undefined {
  return dataSource.driver.options.type === 'better-sqlite3' ? (dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection : undefined;
}

/** The entity's table as SQL: escaped, with its schema on PostgreSQL (as TypeORM's query builder renders it). */
export function tableReference(driver: Driver, metadata: EntityMetadata): string {
  const postgres = driver.options.type === 'postgres';
  return metadata.schema && postgres ? `${driver.escape(metadata.schema)}.${driver.escape(metadata.tableName)}` : driver.escape(metadata.tableName);
}

/** The n-th (1-based) bound parameter in the driver's syntax. */
export function placeholder(driver: Driver, position: number): string {
  return driver.options.type === 'postgres' ? `$${position}` : '?';
}

/**
 * The plain columns a WHERE object compares (`{tenantId, id}` → their ColumnMetadata, in key order), or
 * undefined when `=` cannot express it: a property that is no plain column (embedded, relation), or a
 * value that is null, undefined, a TypeORM operator (`In`, `IsNull`) or an SQL expression.
 */
export function comparedColumns(metadata: EntityMetadata, where: ObjectLiteral): ColumnMetadata[] | undefined {
  return plainColumns(metadata, where, (value) => value !== null);
}

/** The plain columns a SET object assigns, as comparedColumns() but null is a value like any other. */
export function assignedColumns(metadata: EntityMetadata, set: ObjectLiteral): ColumnMetadata[] | undefined {
  return plainColumns(metadata, set, () => true);
}

function plainColumns(metadata: EntityMetadata, values: ObjectLiteral, accepts: (value: unknown) => boolean): ColumnMetadata[] | undefined {
  const columns: ColumnMetadata[] = [];
  for (const [property, value] of Object.entries(values)) {
    if (value === undefined || typeof value === 'function' || value instanceof FindOperator || !accepts(value)) return undefined;
    const column = metadata.findColumnWithPropertyName(property);
    if (!column || column.embeddedMetadata || column.relationMetadata || column.isVirtual) return undefined;
    columns.push(column);
  }
  return columns;
}

/**
 * A value compared in a WHERE clause, as TypeORM binds it: better-sqlite3 binds neither dates nor
 * booleans, so SQLite gets the driver's stored form; PostgreSQL's client converts values itself.
 */
export function comparedValue(driver: Driver, column: ColumnMetadata, value: unknown): unknown {
  return driver.options.type === 'postgres' ? value : driver.preparePersistentValue(value, column);
}
