import Database from 'better-sqlite3';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const logger = new Logger('Migrations');

/**
 * Applies pending migrations exactly once, however many processes boot at the same moment. On
 * PostgreSQL an advisory lock (per schema) serialises them; on SQLite an exclusive transaction on a
 * sibling lock file does. A process that waited finds the migrations already applied and moves on.
 */
export async function runMigrationsExclusively(dataSource: DataSource, lockFile?: string): Promise<number> {
  const started = Date.now();
  const applied = dataSource.options.type === 'postgres' ? await withPostgresLock(dataSource) : await withSqliteLock(dataSource, lockFile);
  if (applied > 0) logger.log({ msg: 'Migrations applied', count: applied, durationMs: Date.now() - started });
  return applied;
}

async function withPostgresLock(dataSource: DataSource): Promise<number> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const lockKey = `integration-platform:migrations:${schema}`;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const migrations = await dataSource.runMigrations({ transaction: 'each' });
      return migrations.length;
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await runner.release();
  }
}

async function withSqliteLock(dataSource: DataSource, lockFile: string | undefined): Promise<number> {
  if (!lockFile) return (await dataSource.runMigrations({ transaction: 'all' })).length;
  // The lock is a separate database so the store's own connection stays free to migrate.
  const lock = new Database(lockFile, { timeout: 120_000 });
  try {
    lock.exec('CREATE TABLE IF NOT EXISTS migration_lock (id INTEGER PRIMARY KEY)');
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return (await dataSource.runMigrations({ transaction: 'all' })).length;
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
