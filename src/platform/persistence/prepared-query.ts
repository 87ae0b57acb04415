import type { Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteConnection } from './plain-sql';

/**
 * A read on a hot path, run many times with different parameters. On SQLite it is a statement prepared
 * once on the store's own connection and run synchronously (TypeORM's query runner costs more than a
 * lookup on an index); on PostgreSQL it goes through the data source's pool like any query.
 */
export class PreparedQuery<Row> {
  private statement?: Statement;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: string,
  ) {}

  all(parameters: readonly unknown[]): Promise<Row[]> {
    const sqlite = sqliteConnection(this.dataSource);
    if (!sqlite) return this.dataSource.query(this.sql, [...parameters]) as Promise<Row[]>;
    try {
      this.statement ??= sqlite.prepare(this.sql);
      return Promise.resolve(this.statement.all(...parameters) as Row[]);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}
