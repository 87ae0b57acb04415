import type { Database, Statement } from 'better-sqlite3';
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { comparedColumns, comparedValue, placeholder, sqliteConnection, tableReference } from './plain-sql';

interface Lookup {
  readonly sql: string;
  /** SQLite: prepared on first use. */
  statement?: Statement;
}

/**
 * `findOneBy` for hot paths that read one row per message: the SELECT is rendered once per entity and
 * set of compared columns (and prepared once on SQLite's own connection), its result hydrated by the
 * driver exactly as TypeORM's find does, without the query builder and entity transformer in between.
 */
export class RowReader {
  private readonly sqlite?: Database;
  private readonly lookups = new Map<EntityTarget<ObjectLiteral>, Map<string, Lookup>>();

  constructor(private readonly dataSource: DataSource) {
    this.sqlite = sqliteConnection(dataSource);
  }

  /** The row whose columns equal `where` (plain non-null values: no operators), or null. */
  async findOneBy<T extends ObjectLiteral>(target: EntityTarget<T>, where: Partial<T>): Promise<T | null> {
    const metadata = this.dataSource.getMetadata(target);
    const compared = comparedColumns(metadata, where);
    if (!compared || compared.length === 0) throw new TypeError(`RowReader compares plain columns of ${metadata.name} with non-null values only`);
    const lookup = this.lookupFor(metadata, compared);
    const driver = this.dataSource.driver;
    const parameters = compared.map((column) => comparedValue(driver, column, where[column.propertyName as keyof T]));
    let raw: ObjectLiteral | undefined;
    if (this.sqlite) {
      lookup.statement ??= this.sqlite.prepare(lookup.sql);
      raw = lookup.statement.get(...parameters) as ObjectLiteral | undefined;
    } else {
      [raw] = (await this.dataSource.query(lookup.sql, parameters)) as ObjectLiteral[];
    }
    return raw ? this.hydrate<T>(metadata, raw) : null;
  }

  private lookupFor(metadata: EntityMetadata, compared: readonly ColumnMetadata[]): Lookup {
    let byShape = this.lookups.get(metadata.target);
    if (!byShape) this.lookups.set(metadata.target, (byShape = new Map()));
    const shape = compared.map((column) => column.propertyName).join(',');
    const cached = byShape.get(shape);
    if (cached) return cached;
    const driver = this.dataSource.driver;
    const selected = metadata.columns.filter((column) => !column.isVirtual).map((column) => driver.escape(column.databaseName));
    const conditions = compared.map((column, index) => `${driver.escape(column.databaseName)} = ${placeholder(driver, index + 1)}`);
    const lookup: Lookup = { sql: `SELECT ${selected.join(', ')} FROM ${tableReference(driver, metadata)} WHERE ${conditions.join(' AND ')} LIMIT 1` };
    byShape.set(shape, lookup);
    return lookup;
  }

  private hydrate<T>(metadata: EntityMetadata, raw: ObjectLiteral): T {
    const entity = metadata.create() as T & ObjectLiteral;
    for (const column of metadata.columns) {
      if (column.isVirtual) continue;
      column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(raw[column.databaseName], column));
    }
    return entity;
  }
}
