import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, RowVersionColumn, TenantIdColumn, TenantOwned, TimestampColumn, UpdatedAtColumn } from '../../persistence/columns';

export type SubscriptionStatus = 'Active' | 'Disabled';

/** An outbound endpoint of a tenant, with the event types it wants and a reference to its signing secret. */
@Entity('webhook_subscriptions')
@Index(['tenantId', 'status'])
export class WebhookSubscription implements TenantOwned {
  @IdColumn()
  id: string;

  @TenantIdColumn()
  tenantId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @JsonColumn()
  eventTypes: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 512 })
  signingSecretRef: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  previousSigningSecretRef: string | null;

  @TimestampColumn({ nullable: true })
  previousSecretValidUntil: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status: SubscriptionStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ type: 'integer', default: 0 })
  consecutiveDeadLetters: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  @RowVersionColumn()
  rowVersion: number;
}
