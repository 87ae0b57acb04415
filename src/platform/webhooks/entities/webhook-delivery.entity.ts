import { Column, Entity, Index } from 'typeorm';
import {
  CreatedAtColumn,
  IdColumn,
  TenantIdColumn,
  TenantOwned,
  TimestampColumn,
  UpdatedAtColumn,
} from '../../persistence/columns';

export type DeliveryDirection = 'in' | 'out';
export type DeliveryStatus = 'Pending' | 'Delivered' | 'DeadLettered' | 'Failed';

/**
 * One webhook crossing the boundary. Inbound: a verified vendor callback (deduplicated on the vendor's
 * delivery id). Outbound: one event for one subscription (deduplicated on the event id).
 */
@Entity('webhook_deliveries')
@Index(['tenantId', 'connectionId', 'vendorDeliveryId'], { unique: true })
@Index(['tenantId', 'subscriptionId', 'eventId'], { unique: true })
@Index(['tenantId', 'status'])
export class WebhookDelivery implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 3 })
  direction: DeliveryDirection;

  @Column({ type: 'varchar', length: 64, nullable: true })
  connectionId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  subscriptionId: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  vendorDeliveryId: string | null;

  @Column({ type: 'varchar', length: 256 })
  eventId: string;

  @Column({ type: 'varchar', length: 256 })
  eventType: string;

  @Column({ type: 'varchar', length: 16, default: 'Pending' })
  status: DeliveryStatus;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  payloadRef: string | null;

  /** Attempts made in all, every series included. */
  @Column({ type: 'integer', default: 0 })
  attemptCount: number;

  /** Outbound: which attempt series is current (a replay starts the next one, schedule from the top). */
  @Column({ type: 'integer', default: 1 })
  series: number;

  /** Outbound: attempts made in the current series. */
  @Column({ type: 'integer', default: 0 })
  seriesAttempt: number;

  @TimestampColumn({ nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @TimestampColumn({ nullable: true })
  completedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
