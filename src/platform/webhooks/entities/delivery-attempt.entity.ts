import { Column, Entity, Index } from 'typeorm';
import { IdColumn, TenantIdColumn, TenantOwned, TimestampColumn } from '../../persistence/columns';

/** One POST of an outbound delivery: when, what came back, how long it took. */
@Entity('webhook_delivery_attempts')
@Index(['tenantId', 'deliveryId', 'attemptNumber'], { unique: true })
export class DeliveryAttempt implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 64 })
  deliveryId: string;

  @Column({ type: 'integer' })
  attemptNumber: number;

  @TimestampColumn()
  attemptedAt: Date;

  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'integer' })
  latencyMs: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  /** The first bytes of the receiver's answer (capped), for debugging failed deliveries. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  responseExcerpt: string | null;
}
