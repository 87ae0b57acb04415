import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, TenantIdColumn, TenantOwned } from '../../persistence/columns';

export const FAILURE_CATEGORIES = ['Transient', 'RateLimited', 'Auth', 'Validation', 'Poison'] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

/** Why a run or a delivery gave up (or will retry): the category drives the retry decision. */
@Entity('integration_failures')
@Index(['tenantId', 'runId'])
@Index(['tenantId', 'deliveryId'])
export class IntegrationFailure implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  runId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  deliveryId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  connectionId: string | null;

  @Column({ type: 'varchar', length: 16 })
  category: FailureCategory;

  @Column({ type: 'varchar', length: 64 })
  code: string;

  @Column({ type: 'varchar', length: 1000 })
  message: string;

  @Column({ type: 'boolean' })
  retryable: boolean;

  @CreatedAtColumn()
  occurredAt: Date;
}
