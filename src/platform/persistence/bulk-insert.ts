import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { placeholder, tableReference } from './plain-sql';

/**
 * One multi-row INSERT for rows of one entity, with values converted by the driver exactly as TypeORM's
 * own insert would (dates, JSON, booleans), but without its per-row query building: the hot paths that
 * write many small rows (run journals) spend their time in the database, not in the ORM.
 */
export async function bulkInsert<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: readonly Partial<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  const columns = metadata.columns.filter((column) => !column.isVirtual);
  const parameters: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = columns.map((column) => {
      parameters.push(driver.preparePersistentValue(column.getEntityValue(row), column));
      return placeholder(driver, parameters.length);
    });
    return `(${placeholders.join(', ')})`;
  });
  await manager.query(
    `INSERT INTO ${tableReference(driver, metadata)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}`,
    parameters,
  );
}
