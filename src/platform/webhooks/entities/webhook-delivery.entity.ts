import { Column, Entity, Index } from 'typeorm';
import { BinaryColumn, CreatedAtColumn, IdColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';

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

  /** The payload in the blob store, when it is not kept in the row (`payloadBody`). */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  payloadRef: string | null;

  /** Inbound: the exact bytes received, kept in the row when small enough (WEBHOOK_INLINE_PAYLOAD_MAX). */
  @BinaryColumn({ nullable: true })
  payloadBody: Buffer | null;

  /** Inbound, with `payloadBody`: the request headers as JSON, signature and credential headers left out. */
  @Column({ type: 'text', nullable: true })
  payloadHeaders: string | null;

  /** Inbound: hex SHA-256 of the body, to tell a vendor's retry from a different body under a reused delivery id. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  payloadSha256: string | null;

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
