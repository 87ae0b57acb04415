import { marks, SqlStatement } from './sync-sql';

/** Every statement on a sync's records is scoped to (tenant, connection, source): the key's prefix. */
export const SCOPE = '"tenantId" = ? AND "connectionId" = ? AND "syncName" = ?';

/** The columns of an upserted record, in the order of the rows handed to `upsert`. */
export const RECORD_COLUMNS = [
  'tenantId',
  'connectionId',
  'syncName',
  'externalId',
  'contentHash',
  'data',
  'vendorUpdatedAt',
  'firstSeenAt',
  'changedAt',
  'changeKind',
  'deletedAt',
  'lastSeenPass',
] as const;

const POSTGRES_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'text', 'timestamptz', 'int'];
const ROWS_PER_STATEMENT = 400;
const COLUMN_LIST = RECORD_COLUMNS.map((column) => `"${column}"`).join(', ');
// firstSeenAt stays as first written.
const UPSERT_SUFFIX =
  ' ON CONFLICT ("tenantId", "connectionId", "syncName", "externalId") DO UPDATE SET "contentHash" = excluded."contentHash", "data" = excluded."data", ' +
  '"vendorUpdatedAt" = excluded."vendorUpdatedAt", "changedAt" = excluded."changedAt", "changeKind" = excluded."changeKind", "deletedAt" = excluded."deletedAt", ' +
  '"lastSeenPass" = excluded."lastSeenPass"';

/**
 * The statements a checkpoint makes on `external_records`, in each dialect's cheapest form: SQLite a
 * multi-row VALUES list (rendered once per row count, prepared once), PostgreSQL one array per column
 * (`unnest`, `= ANY`): one short statement whatever the page size, planned cheaply.
 */
export class RecordStatements {
  private readonly upsertSql = new Map<number, string>();

  constructor(private readonly dialect: 'sqlite' | 'postgres') {}

  /** Rows in RECORD_COLUMNS order. */
  upsert(rows: readonly unknown[][]): SqlStatement[] {
    if (rows.length === 0) return [];
    if (this.dialect === 'postgres') {
      const columns = RECORD_COLUMNS.map((_, column) => rows.map((row) => row[column]));
      return [
        {
          sql: `INSERT INTO external_records (${COLUMN_LIST}) SELECT * FROM unnest(${POSTGRES_TYPES.map((type) => `?::${type}[]`).join(', ')})${UPSERT_SUFFIX}`,
          parameters: columns,
        },
      ];
    }
    return chunks(rows).map((chunk) => ({ sql: this.sqliteUpsertSql(chunk.length), parameters: flattened(chunk) }));
  }

  /** Marks records seen by this pass (a full pass deletes what it did not see). */
  markSeen(passNumber: number, scope: readonly string[], ids: readonly string[]): SqlStatement[] {
    if (ids.length === 0) return [];
    if (this.dialect === 'postgres')
      return [{ sql: `UPDATE external_records SET "lastSeenPass" = ? WHERE ${SCOPE} AND "externalId" = ANY(?::text[])`, parameters: [passNumber, ...scope, ids] }];
    return chunks(ids).map((chunk) => ({
      sql: `UPDATE external_records SET "lastSeenPass" = ? WHERE ${SCOPE} AND "externalId" IN (${marks(chunk.length)})`,
      parameters: [passNumber, ...scope, ...chunk],
    }));
  }

  /** The stored hash and deletion of the given records (ids: one page's, at most a few hundred). */
  known(scope: readonly string[], ids: readonly string[]): SqlStatement {
    return this.dialect === 'postgres'
      ? { sql: `SELECT "externalId", "contentHash", "deletedAt" FROM external_records WHERE ${SCOPE} AND "externalId" = ANY(?::text[])`, parameters: [...scope, ids] }
      : { sql: `SELECT "externalId", "contentHash", "deletedAt" FROM external_records WHERE ${SCOPE} AND "externalId" IN (${marks(ids.length)})`, parameters: [...scope, ...ids] };
  }

  /** A completed full pass: what it did not see is deleted (answers the ids). */
  deleteUnseen(scope: readonly string[], passNumber: number, stamp: unknown): SqlStatement {
    return {
      sql: `UPDATE external_records SET "deletedAt" = ?, "changedAt" = ?, "changeKind" = 'deleted' WHERE ${SCOPE} AND "deletedAt" IS NULL AND "lastSeenPass" < ? RETURNING "externalId"`,
      parameters: [stamp, stamp, ...scope, passNumber],
    };
  }

  private sqliteUpsertSql(rows: number): string {
    let sql = this.upsertSql.get(rows);
    if (!sql) {
      const tuple = `(${marks(RECORD_COLUMNS.length)})`;
      sql = `INSERT INTO external_records (${COLUMN_LIST}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}${UPSERT_SUFFIX}`;
      this.upsertSql.set(rows, sql);
    }
    return sql;
  }
}

/** The rows' values in one array (a plain loop: Array.prototype.flat is several times slower on a page of rows). */
function flattened(rows: readonly unknown[][]): unknown[] {
  const values: unknown[] = new Array(rows.length * RECORD_COLUMNS.length);
  let index = 0;
  for (const row of rows) for (const value of row) values[index++] = value;
  return values;
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) result.push(items.slice(start, start + ROWS_PER_STATEMENT));
  return result;
}
