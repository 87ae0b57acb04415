import { Column, Entity, Index } from 'typeorm';
import { IdColumn, TenantIdColumn, TenantOwned, TimestampColumn } from '../../persistence/columns';
import type { FailureCategory } from './integration-failure.entity';

/** One call to the vendor made on behalf of a run. */
@Entity('integration_run_attempts')
@Index(['tenantId', 'runId', 'attemptNumber'], { unique: true })
export class IntegrationRunAttempt implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  runId: string;

  @Column({ type: 'integer' })
  attemptNumber: number;

  @TimestampColumn()
  startedAt: Date;

  @Column({ type: 'integer' })
  latencyMs: number;

  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  failureCategory: FailureCategory | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;
}
