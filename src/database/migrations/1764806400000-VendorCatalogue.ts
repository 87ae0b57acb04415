import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnKit } from './1764201600000-InitialSchema';

/**
 * Providers declare every auth mode they accept and their docs. Built-in rows are no longer seeded by a
 * migration: the vendor catalogue keeps them in step at boot (the seed this schema started with was
 * removed from InitialSchema, where it only ever ran on an empty table).
 */
export class VendorCatalogue1764806400000 implements MigrationInterface {
  name = 'VendorCatalogue1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    await queryRunner.addColumns('integration_providers', [new TableColumn(c.json('authModes', true)), new TableColumn(c.varchar('docsUrl', 2048, true))]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['docsUrl', 'authModes']) await queryRunner.dropColumn('integration_providers', column);
  }
}
