import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL: the store bus claims through a function that pins the plan to the ready index
 * (entity, visible_at, id). Queue tables churn and their statistics are often stale or absent (right
 * after a burst, or with autovacuum off); the planner then picks a sequential scan and sorts the whole
 * backlog on every claim. An ordered index scan with LIMIT is always the right plan here.
 */
export class StoreBusClaim1764374400000 implements MigrationInterface {
  name = 'StoreBusClaim1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query(`
      CREATE FUNCTION bus_claim(claim_entity varchar, claim_limit integer, lease_ms bigint, token varchar)
      RETURNS SETOF bus_messages
      LANGUAGE sql
      SET enable_seqscan = off
      SET enable_bitmapscan = off
      AS $$
        UPDATE bus_messages m
           SET visible_at = (extract(epoch from statement_timestamp()) * 1000)::bigint + lease_ms,
               delivery_count = m.delivery_count + 1,
               lock_token = token
          FROM (SELECT id FROM bus_messages
                 WHERE entity = claim_entity AND visible_at <= (extract(epoch from statement_timestamp()) * 1000)::bigint
                 ORDER BY visible_at, id
                 LIMIT claim_limit
                 FOR UPDATE SKIP LOCKED) claimed
         WHERE m.id = claimed.id
        RETURNING m.*
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'postgres') return;
    await queryRunner.query('DROP FUNCTION bus_claim(varchar, integer, bigint, varchar)');
  }
}
