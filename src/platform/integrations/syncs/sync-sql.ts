import type { Database, Statement } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { sqliteConnection } from '../../persistence/plain-sql';
import type { StoreTransaction } from '../../persistence/store-transaction';

/** One SQL statement written with `?` placeholders (rendered `$n` on PostgreSQL) and quoted identifiers. */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Statements run inside one transaction; `all` answers rows (SELECT, or RETURNING), `run` the rows affected. */
export interface SqlSession {
  readonly transaction: StoreTransaction;
  run(statement: SqlStatement): number | Promise<number>;
  all<T>(statement: SqlStatement): T[] | Promise<T[]>;
}

const MAX_PREPARED = 256;

/**
 * The sync store's plain SQL on either dialect: values in each dialect's stored form (SQLite keeps
 * timestamps as `YYYY-MM-DD HH:MM:SS.fff` text and booleans as 0/1, as TypeORM does), statements
 * prepared once on SQLite, and one transaction that never spans an await on the embedded store.
 */
export class SyncSql {
  private readonly sqlite?: Database;
  private readonly prepared = new Map<string, Statement>();
  private readonly rendered = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {
    this.sqlite = sqliteConnection(dataSource);
  }

  get dialect(): 'sqlite' | 'postgres' {
    return this.sqlite ? 'sqlite' : 'postgres';
  }

  time(value: Date | null): unknown {
    if (value === null) return null;
    return this.sqlite ? value.toISOString().replace('T', ' ').replace('Z', '') : value;
  }

  bool(value: boolean): unknown {
    return this.sqlite ? (value ? 1 : 0) : value;
  }

  /** Reads outside a transaction. */
  async all<T>(statement: SqlStatement): Promise<T[]> {
    if (this.sqlite) return this.statement(statement.sql).all(...statement.parameters) as T[];
    return (await this.dataSource.query(this.postgresSql(statement.sql), [...statement.parameters])) as T[];
  }

  /**
   * Runs `work` in one transaction. On SQLite `work` must not await (its session answers synchronously):
   * everything it does commits or rolls back together.
   */
  async transaction<T>(work: (session: SqlSession) => T | Promise<T>): Promise<T> {
    if (this.sqlite) {
      const db = this.sqlite;
      const session: SqlSession = {
        transaction: { dialect: 'sqlite', db },
        run: (statement) => this.statement(statement.sql).run(...statement.parameters).changes,
        all: <R>(statement: SqlStatement) => this.statement(statement.sql).all(...statement.parameters) as R[],
      };
      return db.transaction(() => {
        const result = work(session);
        if (result instanceof Promise) throw new TypeError('A SQLite sync transaction must be synchronous');
        return result;
      })();
    }
    return this.dataSource.transaction(async (manager) => {
      const query = (sql: string, parameters: unknown[]) => manager.query(sql, parameters);
      const session: SqlSession = {
        transaction: { dialect: 'postgres', query },
        run: async (statement) => {
          const result = (await manager.query(this.postgresSql(statement.sql), [...statement.parameters])) as unknown;
          return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
        },
        all: async <R>(statement: SqlStatement) => {
          const result = (await manager.query(this.postgresSql(statement.sql), [...statement.parameters])) as unknown;
          // UPDATE … RETURNING answers [rows, affected]; SELECT answers rows.
          return (Array.isArray(result) && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as R[];
        },
      };
      return work(session);
    });
  }

  private statement(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      if (this.prepared.size >= MAX_PREPARED) this.prepared.clear();
      statement = this.sqlite!.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private postgresSql(sql: string): string {
    let rendered = this.rendered.get(sql);
    if (!rendered) {
      let position = 0;
      rendered = sql.replace(/\?/g, () => `$${++position}`);
      if (this.rendered.size >= MAX_PREPARED) this.rendered.clear();
      this.rendered.set(sql, rendered);
    }
    return rendered;
  }
}

/** `?, ?, ?` for n values. */
export function marks(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
