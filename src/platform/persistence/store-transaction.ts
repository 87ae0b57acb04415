import type { Database } from 'better-sqlite3';

/**
 * An open transaction of the relational store, as other components may join it: SQLite's connection
 * (inside its synchronous transaction; writes made on it commit or roll back with the transaction), or
 * PostgreSQL's transaction-bound query function.
 */
export type StoreTransaction =
  { readonly dialect: 'sqlite'; readonly db: Database } | { readonly dialect: 'postgres'; query(sql: string, parameters: unknown[]): Promise<unknown> };

/** What a joined writer does once the transaction has committed (wake consumers, notify). */
export type AfterCommit = () => void;
